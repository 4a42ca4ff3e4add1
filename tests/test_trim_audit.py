"""``conv.trim()`` on what the other trim tests do not build: user turns sent as several
messages in a row (api-rules §1.6 joins them into one turn), a budget that the context window
less ``max_tokens`` sets, and ``count_tokens`` leaving out the thinking of prior turns."""

from __future__ import annotations

from typing import Any

import pytest

import convo
from convo import ApiCounter, Conversation, LocalCounter
from convo._tokens import prior_thinking

OPUS = "claude-opus-4-8"
SONNET_45 = "claude-sonnet-4-5"
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


def test_a_budget_set_by_the_context_window_names_max_tokens_as_the_way_out() -> None:
    """The budget is the context window less max_tokens (the smaller of the two when a budget is
    given too): raising the budget then changes nothing, lowering max_tokens does."""
    conv = Conversation().user("Summarize: " + "word " * 100_000)
    needed = LocalCounter().count(conv, model="claude-sonnet-4-5")  # over 136,000, under 200,000
    for budget in (None, 150_000):
        with pytest.raises(convo.BudgetTooSmall) as caught:
            conv.trim(budget, model="claude-sonnet-4-5", max_tokens=64_000)
        assert caught.value.budget == 136_000 and caught.value.needed == needed
        assert str(caught.value).endswith(": lower max_tokens")
    assert conv.trim(model="claude-sonnet-4-5", max_tokens=200_000 - needed) is conv
    with pytest.raises(convo.BudgetTooSmall, match=r": raise the budget$"):
        conv.trim(100_000, model="claude-sonnet-4-5", max_tokens=64_000)


class PriorThinkingLeftOut:
    """count_tokens as api-rules §6.4 describes it: the local estimate, without the thinking of
    prior turns."""

    def __init__(self, model: str) -> None:
        self.model = model
        self.messages = self

    def count_tokens(self, **body: Any) -> dict[str, int]:
        conv = Conversation.from_wire(body)
        leftout = prior_thinking(conv.messages, model=self.model).tokens(1.0)
        return {"input_tokens": LocalCounter().count(conv, model=self.model) - leftout}


def thinking_chat(exchanges: int) -> Conversation:
    conv = Conversation().user("Plan the migration.")
    for i in range(exchanges):
        thought = {"type": "thinking", "thinking": "Weigh the options. " * 150, "signature": f"sig{i}"}
        conv = conv.assistant([thought, {"type": "text", "text": f"Step {i}: " + "move " * 60}])
        conv = conv.user(f"And step {i + 1}?")
    return conv


@pytest.mark.parametrize("model", [OPUS, "claude-fable-5"])
def test_trimming_with_count_tokens_adds_the_prior_thinking_the_model_reads(model: str) -> None:
    """§9.7: count_tokens ignores prior turns' thinking (§6.4), a model that keeps it (§4.10)
    reads and bills it: assume the larger number when trimming."""
    conv = thinking_chat(12)
    budget = LocalCounter().count(conv, model=model) // 2
    for counter in (ApiCounter(PriorThinkingLeftOut(model), model=model), LocalCounter()):
        trimmed = conv.trim(budget, counter=counter, model=model)
        assert len(trimmed) < len(conv) and LocalCounter().count(trimmed, model=model) <= budget


def test_a_model_that_drops_prior_thinking_adds_none_to_count_tokens() -> None:
    conv = thinking_chat(12)
    budget = LocalCounter().count(conv, model=SONNET_45) // 2
    counter = ApiCounter(PriorThinkingLeftOut(SONNET_45), model=SONNET_45)
    assert prior_thinking(conv.messages, model=SONNET_45).tokens(1.0) == 0
    assert conv.trim(budget, counter=counter) == conv.trim(budget, model=SONNET_45)
