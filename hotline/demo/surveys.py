"""Synthetic answers to the demo orders' surveys (labelled synthetic with them)."""

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hotline.core.surveys.rules import parse_call
from hotline.services.surveys import tasks as surveys

# Synthetic survey answers: mostly satisfied, some missed calls, refusals and complaints.
_DEMO_ANSWERS = [
    (60, {"outcome": "answered", "resolved": "yes", "satisfaction": "satisfied"}),
    (18, {"outcome": "answered", "resolved": "yes", "satisfaction": "basic"}),
    (6, {"outcome": "answered", "resolved": "no", "satisfaction": "dissatisfied"}),
    (10, {"outcome": "not_reached"}),
    (6, {"outcome": "declined"}),
]


def answer(
    session: Session, rng: random.Random, order_id: int, now: datetime, actor: int, timezone: str
) -> None:
    """Answer a demo order's due survey, as a survey operator would have, if it is due."""
    tasks = [t for t in surveys.for_order(session, order_id) if t.state == "due"]
    if not tasks or tasks[-1].due_at >= now - timedelta(hours=8):
        return
    weights, answers = zip(*_DEMO_ANSWERS, strict=True)
    form = {
        "attitude": "satisfied",
        "score": str(rng.randint(6, 10)),
        **rng.choices(answers, weights)[0],
    }
    if form.get("satisfaction") == "dissatisfied":
        form.update(
            attitude="neutral", score=str(rng.randint(1, 5)), comment="问题没有解决，希望再处理。"
        )
    moment = tasks[-1].due_at + timedelta(hours=rng.uniform(0.5, 7))
    result = parse_call(form, ZoneInfo(timezone))
    surveys.record_call(
        session,
        actor_id=actor,
        survey_id=tasks[-1].id,
        result=result,
        now=moment,
        timezone=timezone,
    )
