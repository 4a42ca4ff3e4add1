"""``conv.trim()`` on shapes the API accepts that the other trim tests do not build: user turns
sent as several messages in a row (api-rules §1.6 joins them into one turn)."""

from __future__ import annotations

import convo
from convo import Conversation, LocalCounter

OPUS = "claude-opus-4-8"
FRENCH = {"role": "system", "content": "From now on, answer in French."}


def test_a_moved_system_message_follows_the_whole_user_turn_that_opens_the_kept_part() -> None:
    """§1.3: a system message must be last or be followed by an assistant turn; the kept part
    may open with a user turn sent as two messages, and the moved message goes after both."""
    conv = Conversation().user("Plan a trip.").append(FRENCH).assistant("Matin: Alfama. " * 60)
    conv = conv.user("Et Porto ?").user("Deux jours.").assistant("Matin: Ribeira. " * 60).user("Et Faro ?")
    budget = LocalCounter().count(conv, model=OPUS) * 2 // 3
    for pin in (0, 1):
        trimmed = conv.trim(budget, model=OPUS, pin=pin)
        assert convo.check(trimmed.to_json(), model=OPUS).valid
        assert [m.role for m in trimmed.messages] == ["user", "user", "system", "assistant", "user"]
        assert trimmed.messages[1].content == "Deux jours." and trimmed.messages[2].to_dict() == FRENCH


def test_the_pinned_user_turn_keeps_every_message_it_was_sent_as() -> None:
    """§1.6: user messages in a row are one turn, so pinning the first user turn pins them all."""
    conv = Conversation().user("Port the parser to Rust.").user("No unsafe code.")
    for i in range(6):
        conv = conv.assistant(f"Step {i}: " + "done " * 80).user(f"Next {i}?")
    trimmed = conv.trim(LocalCounter().count(conv) // 2)
    assert len(trimmed) < len(conv) and convo.check(trimmed.to_json()).valid
    assert trimmed.messages[0] == conv.messages[0]
    assert trimmed.messages[1].blocks[0] == conv.messages[1].blocks[0]
