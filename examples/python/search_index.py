"""Nightly job: embeds new help-centre articles and drafts their one-line teasers."""
from openai import OpenAI

client = OpenAI()


def embed_articles(articles: list[dict]) -> list[list[float]]:
    result = client.embeddings.create(
        model="text-embedding-3-small",
        input=[f"{a['title']}\n\n{a['body']}" for a in articles],
    )
    return [item.embedding for item in result.data]


def teaser(article: dict) -> str:
    response = client.responses.create(
        model="gpt-5-mini",
        instructions="Write a one-sentence teaser for a help-centre article. Plain text, under 25 words.",
        input=article["body"][:4000],
        max_output_tokens=120,
    )
    return response.output_text
