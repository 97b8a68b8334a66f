"""Hand-over notes: summarises a ticket's conversation for the next agent, and titles it."""
import asyncio
import textwrap
from datetime import datetime

from anthropic import AsyncAnthropic
from openai import AsyncOpenAI

from prompts import SUBJECT_INSTRUCTIONS

anthropic_client = AsyncAnthropic()
openai_client = AsyncOpenAI()

SUMMARY_PROMPT = open("templates/summarize.txt").read()


async def hand_over(ticket_id: str, passages: list[str]) -> dict:
    joined = "\n\n".join(passages)
    summary = await anthropic_client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=400,
        system=f"{SUMMARY_PROMPT}\nToday is {datetime.now():%Y-%m-%d %H:%M}.",
        messages=[{"role": "user", "content": f"Ticket {ticket_id}:\n\n{joined}"}],
    )
    title = await openai_client.chat.completions.create(
        model="gpt-4o-mini",
        max_tokens=30,
        messages=[
            {"role": "system", "content": SUBJECT_INSTRUCTIONS},
            {"role": "user", "content": textwrap.dedent(f"""
                Ticket {ticket_id}. First message:
                {passages[0] if passages else ''}
            """)},
        ],
    )
    return {"summary": summary.content[0].text, "title": title.choices[0].message.content}


if __name__ == "__main__":
    print(asyncio.run(hand_over("T-1042", ["I was charged twice this month."])))
