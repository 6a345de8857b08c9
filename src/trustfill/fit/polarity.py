"""Does a question ask the opposite of the bank entry's question?

"Are you storing any passwords in plaintext?" matches the password-hashing entry well: same topic, same words.
But the entry answers "Are user passwords stored as salted hashes?", and its "Yes" written beside the plaintext
question says the opposite of the truth. A question is *negative* when it names a bad practice (plain text,
hard-coded, unencrypted, without a warrant, for advertising, fail to ...) that no nearby word denies ("rather than
stored in plain text", "never hard-coded", "no ... unencrypted"). The answer the bank renders is the answer to the
entry's own question, so a question is negated when its polarity differs from that question's; the matched alias
only helps the matcher find the topic.

The markers are a short list kept precise on purpose: a missed negation still needs the entry to be matched with
an answer of the opposite sense, while a false one only sends a question to review (or inverts an answer where
the entry declares that safe).
"""

from __future__ import annotations

import re

__all__ = ["is_negative", "negated", "negative_markers"]

# Bad practices a question can ask about. Each is a finding a customer hopes to hear "No" to.
_BAD = re.compile(
    r"\b(?:"
    r"plain[- ]?text|clear[- ]?text|in the clear|in clear"
    r"|hard[- ]?coded|hardcoded|embedded (?:passwords?|credentials|secrets|keys)"
    r"|un-?encrypted|non-?encrypted|not (?:be )?encrypted"
    r"|without (?:a |an |any |the |their |prior |first )*(?:valid |proper |explicit |written |legal |lawful |court )*"
    r"(?:warrant|subpoena|court order|legal process|consent|authori[sz]ation|approval|notice|notification|encryption|permission"
    r"|(?:multi-?factor |two-?factor |strong )?authentication|mfa|2fa|review|testing|logging|background checks?)"
    r"|fail(?:s|ed|ure)? to"
    r"|for (?:targeted |behavioural |behavioral |third[- ]party )?(?:advertising|marketing)(?: purposes)?"
    r"|sell|sells|sold|selling|rent (?:or|and) sell"
    r"|shared (?:user )?accounts|shared (?:passwords|credentials|logins)"
    r"|default (?:passwords|credentials)"
    r"|(?:the )?same (?:local )?(?:(?:administrator|admin|root)(?:/(?:administrator|admin|root))? )?(?:passwords?|credentials)"
    r"|password reuse|reused? (?:the )?(?:same )?passwords?"
    r"|(?:locations?|sites?|copies|backups?) (?:are |is )?(?:located |kept |stored )?outside (?:of )?(?:the |your |our )?"
    r"(?:institution'?s |customer'?s )?(?:geographic(?:al)? )?(?:region|data zone|country|jurisdiction)"
    r"|(?:unplanned|unscheduled|significant|major) (?:service |system )?(?:outages?|disruptions?|interruptions?|downtime)"
    r"|(?:cloud |hosting |infrastructure |third[- ]party )?(?:vendors?|providers?)(?:'s?)? (?:have|has|had|with|get|gets|"
    r"can (?:get|gain|have)|gain|gains) access to (?:your |the |our |its )?(?:(?:data )?encryption |decryption |private )?keys"
    r")\b",
    re.I,
)
# Words that deny a bad practice named right after them: "hashed rather than stored in plain text".
_DENY = re.compile(
    r"\b(?:not|never|no|nor|without|rather than|instead of|prohibit(?:s|ed)?|prevent(?:s|ed)?|avoid(?:s|ed)?|forbid(?:s|den)?"
    r"|disallow(?:s|ed)?|ban(?:s|ned)?|out of|free of|free from|refrain from|do not|don't|doesn't|unless"
    r"|detect(?:s|ed)?|block(?:s|ed)?|scan(?:s|ned)? for|flag(?:s|ged)?|find|replace|eliminate)\b",
    re.I,
)
_WINDOW = 6  # words before a marker in which a denial cancels it


def negative_markers(text: str) -> list[str]:
    """The bad practices ``text`` asks about that no nearby word denies, in order."""
    found = []
    for hit in _BAD.finditer(text):
        before = text[: hit.start()].split()[-_WINDOW:]
        # "not encrypted" carries its own "not"; only a second denial before it cancels it
        if _DENY.search(" ".join(before)) and not re.search(r"[.;?!]", " ".join(before)):
            continue
        found.append(hit.group(0).lower())
    return found


def is_negative(text: str) -> bool:
    """True when ``text`` asks about a bad practice ("are passwords stored in plain text?")."""
    return bool(negative_markers(text))


def negated(question: str, entry_question: str) -> str | None:
    """The marker that makes ``question`` ask the opposite of ``entry_question``, or None when both ask the same way.

    When the entry's question is itself negative and the customer's is not, the reason names the entry's marker.
    """
    mine, theirs = negative_markers(question), negative_markers(entry_question)
    if bool(mine) == bool(theirs):
        return None
    return mine[0] if mine else f"not {theirs[0]}"
