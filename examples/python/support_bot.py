"""Chat endpoint of the support desk: answers a customer's question with the whole conversation."""
import anthropic
from openai import OpenAI

from prompts import CLASSIFY_INSTRUCTIONS, SUPPORT_SYSTEM_PROMPT

client = anthropic.Anthropic()
openai_client = OpenAI()


def answer(history: list[dict], question: str) -> str:
    response = client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": SUPPORT_SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
        messages=[*history, {"role": "user", "content": question}],
    )
    return response.content[0].text


def route(subject: str, body: str) -> str:
    completion = openai_client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": CLASSIFY_INSTRUCTIONS},
            {"role": "user", "content": f"Subject: {subject}\n\n{body}"},
        ],
    )
    return (completion.choices[0].message.content or "how-to").strip()
