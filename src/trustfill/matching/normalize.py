"""Turn question text into comparable terms: fold, tokenise, drop boilerplate, stem, map synonyms to concepts.

The pipeline is the same for bank text, customer questions and thesaurus terms, so a thesaurus term
matches whatever spelling the normaliser reduces to the same tokens:

1. :func:`fold` - Unicode NFKC, typographic quotes and dashes, case, contractions ("don't" -> "do not"),
   numbers ("1,000" -> "1000", "twelve" -> "12", "24/7" -> "24x7", "%" -> "percent"), British spellings.
2. tokens - runs of letters and digits; "1.2" stays one token (TLS versions); hyphens and slashes split.
3. stop phrases ("do you have", "does the vendor", "please describe") and stop words go; both are data
   in ``thesaurus.yaml`` and are matched on the folded tokens, before stemming, so they are predictable.
4. :func:`stem` - a light suffix stripper (plurals, -ing, -ed, -ation, -ment, -ly ...). It only has to
   map related words to the same key; the key need not be a word.
5. thesaurus phrases, longest first, become one concept term ``@name`` (``@mfa`` for "two-factor
   authentication", "2FA" and "MFA").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "CONCEPT_PREFIX",
    "Analysis",
    "Normalizer",
    "PhraseTable",
    "fold",
    "question_key",
    "stem",
    "tokens",
]

CONCEPT_PREFIX = "@"

_CHARS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "&": " and ",
    }
)

_CONTRACTIONS = {
    "won't": " will not",
    "can't": " can not",
    "shan't": " shall not",
    "cannot": " can not",
    "n't": " not",
    "'re": " are",
    "'ve": " have",
    "'ll": " will",
    "'d": " would",
    "'m": " am",
    # possessive or "is": "vendor's staff" and "what's" lose nothing a matcher needs
    "'s": "",
}
_CONTRACTION_RE = re.compile(r"\b(?:won't|can't|shan't|cannot)\b|n't\b|'(?:re|ve|ll|d|m|s)\b|(?<=s)'(?=\s|$)")


def _contraction(match: re.Match[str]) -> str:
    found = match.group(0)
    return _CONTRACTIONS.get(found, "")


_NUMBER_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "sixty": "60",
    "ninety": "90",
    "hundred": "100",
}
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_ROUND_THE_CLOCK_RE = re.compile(r"\b24\s*(?:/|x|by)\s*7(?:\s*(?:/|x)\s*365)?\b")
_ORDINAL_RE = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_DIGIT_RE = re.compile(r"\d")

# British -> American so "organisation" and "organization" fold alike. Applied to whole words.
_BRITISH = {
    "behaviour": "behavior",
    "centre": "center",
    "licence": "license",
    "defence": "defense",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "enrol": "enroll",
    "enrolment": "enrollment",
    "judgement": "judgment",
    "favour": "favor",
    "labour": "labor",
    "storey": "story",
}
_ISE_RE = re.compile(r"\b([a-z]{3,}?)is(e|ed|es|ing|ation|ations|ational|er|ers)\b")
# words ending in -ise that are not British -ize spellings
_ISE_KEEP = frozenset(
    """
    advertise advertised advertiser advertisers advertising advise advised advises advising anise
    appraisal appraise arise arises arising bruise chemise clockwise collision collisions comprise
    comprised comprises comprising compromise compromised compromises compromising concise cruise
    decision decisions demise despise devise devised disguise division divisions enterprise enterprises
    envision envisioned excisable excise exercise exercised exerciser exercises exercising expertise
    franchise improvise incise incision invisible likewise merchandise noise otherwise paradise poise
    praise praiser precise precision premise premised premises promise promised promises promising
    provision provisioned provisioning provisions raise raised raiser raises raising reprise revise
    revised revises revising revision revisions rise riser supervise supervised supervises supervising
    supervision supervisor supervisors surmise surprise televise television treatise visibility visible
    vision wise wiser
""".split()  # noqa: SIM905 - a word list reads better as text
)

# "log in" must not become the noun "log"; "sign on" is part of "single sign-on".
# In a customer's questionnaire "our data" is the customer's data.
# One pass for the word rewrites: number words, "log in" / "sign on", "our data".
_WORDS_RE = re.compile(
    r"\b(?:(?P<num>" + "|".join(_NUMBER_WORDS) + r")"
    r"|(?:log|logs|logged|logging|sign|signs|signed|signing)[\s-]*(?P<login>in|on)"
    r"|(?:our|my) (?P<ours>data|information|records|content|files|users))\b"
)


def _word_rewrite(match: re.Match[str]) -> str:
    if match.group("num"):
        return _NUMBER_WORDS[match.group("num")]
    if match.group("login"):
        return " login " if match.group("login") == "in" else " logon "
    return "customer " + match.group("ours")


_TOKEN_RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")


def fold(text: str) -> str:
    """Case-fold and canonicalise spelling, contractions and numbers; keep punctuation for tokenising."""
    if text.isascii():
        text = text.replace("&", " and ").replace("`", "'").lower()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_CHARS).casefold()
    if "'" in text or "cannot" in text:
        text = _CONTRACTION_RE.sub(_contraction, text)
    if _DIGIT_RE.search(text):
        text = _THOUSANDS_RE.sub("", text)
        text = _ROUND_THE_CLOCK_RE.sub(" 24x7 ", text)
        text = _ORDINAL_RE.sub(r"\1", text)
    if "%" in text:
        text = text.replace("%", " percent ")
    return _WORDS_RE.sub(_word_rewrite, text)


def _americanise(token: str) -> str:
    if token in _BRITISH:
        return _BRITISH[token]
    if "is" in token and token not in _ISE_KEEP:
        match = _ISE_RE.fullmatch(token)
        if match:
            return f"{match.group(1)}iz{match.group(2)}"
    return token


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text`` (no stemming, no stop words)."""
    return [_americanise(t) for t in _TOKEN_RE.findall(fold(text))]


def question_key(text: str) -> str:
    """Exact-match key for a question: folded tokens joined by one space (used by learned mappings)."""
    return " ".join(tokens(text))


# --- stemming -------------------------------------------------------------------------------------

# Words the suffix rules get wrong, or that must meet a related word the rules cannot reach.
# "companies" stays apart from "company": once stop phrases have taken "your company", a bare plural
# names other firms (third parties, see thesaurus.yaml), while the singular is still the vendor.
_IRREGULAR = dict(
    pair.split(":")
    for pair in """
    use:use used:use uses:use using:use usage:use user:user users:user response:respond
    responses:respond responding:respond responded:respond responds:respond data:data media:media
    analysis:analysis analyses:analysis basis:basis bases:basis thesis:thesis status:status
    always:always news:news series:series species:species address:address addresses:address
    addressed:address addressing:address retain:retent retained:retent retaining:retent retains:retent
    retention:retent delete:delet deletion:delet destroy:destruct destroyed:destruct
    destruction:destruct dispose:dispos disposal:dispos disposed:dispos removal:remov approval:approv
    approvals:approv renewal:renew arrival:arriv recovery:recover recoveries:recover
    recoverability:recover recoverable:recover availability:avail available:avail unavailable:unavail
    unavailability:unavail reliability:reliabl reliable:reliabl vulnerability:vulnerab
    vulnerabilities:vulnerab vulnerable:vulnerab responsibility:responsib responsibilities:responsib
    responsible:responsib accountability:accountab accountable:accountab applicable:appl
    application:applic applications:applic apply:appl applies:appl applied:appl applying:appl
    children:child people:person persons:person personnel:personnel personal:personal
    personally:personal access:access accessed:access accesses:access accessing:access
    accessible:access business:business businesses:business process:process processes:process
    processed:process processing:process processor:processor processors:processor this:this has:has
    was:was does:does during:during bring:bring thing:thing things:thing string:string strings:string
    ring:ring king:king sing:sing spring:spring need:need needed:need needs:need speed:speed seed:seed
    feed:feed feeds:feed exceed:exceed exceeds:exceed proceed:proceed proceeds:proceed succeed:succeed
    agreed:agre agree:agre agreement:agre agreements:agre led:lead red:red bed:bed shed:shed
    hundred:100 sso:sso saas:saas paas:paas iaas:iaas aws:aws dns:dns dos:dos ddos:ddos https:https
    sas:sas ips:ips ids:ids os:os gcs:gcs kms:kms hsm:hsm hsms:hsm apis:api vms:vm siems:siem wafs:waf
    slas:sla ndas:nda dpas:dpa baas:baa keys:key days:day ways:way comply:compli complies:compli
    complied:compli complying:compli compliance:compli compliant:compli noncompliance:noncompli
    revocation:revok automatic:autom automatically:autom instance:instance
    instances:instance companies:companies department:department departments:department
    production:production information:information cookie:cookie cookies:cookie
""".split()  # noqa: SIM905 - a word table reads better as text
)

_VOWELS = frozenset("aeiouy")


def _has_vowel(stem_: str) -> bool:
    return any(c in _VOWELS for c in stem_)


def _undouble(word: str) -> str:
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] not in "aeiouy" and word[-1] != "s":
        return word[:-1]
    return word


# (suffix, replacement, minimum length left). Tried longest first; the first that applies wins, then
# the loop runs again so "documentation" -> "document" -> "docu" and "documented" -> "document" -> "docu".
_SUFFIXES = (
    ("ifications", "ify", 3),
    ("ification", "ify", 3),
    ("izational", "", 3),
    ("izations", "", 3),
    ("ization", "", 3),
    ("ational", "", 3),
    ("ations", "", 3),
    ("ation", "", 3),
    ("ements", "", 3),
    ("ement", "", 3),
    ("ments", "", 3),
    ("ment", "", 3),
    ("ness", "", 3),
    ("ically", "ical", 3),
    ("ances", "", 4),
    ("ance", "", 4),
    ("ences", "", 4),
    ("ence", "", 4),
    ("ingly", "", 3),
    ("ings", "", 3),
    ("ing", "", 3),
    ("ions", "", 3),
    ("ion", "", 3),
    ("ities", "", 3),
    ("ity", "", 3),
    ("izes", "", 3),
    ("ized", "", 3),
    ("izer", "", 3),
    ("ize", "", 3),
    ("ates", "", 3),
    ("ated", "", 3),
    ("ate", "", 3),
    ("ies", "y", 2),
    ("ied", "y", 2),
    ("ly", "", 5),
    ("sses", "ss", 2),
    ("ed", "", 3),
    ("es", "e", 3),
    ("s", "", 3),
    ("e", "", 3),
)
_NO_PLURAL_S = ("ss", "us", "is", "ys", "os")


ANALYSIS_CACHE_LIMIT = 20_000


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Light, deterministic suffix stripping; related words meet at the same key (not always a word)."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    for _ in range(4):
        before = word
        for suffix, repl, min_left in _SUFFIXES:
            if not word.endswith(suffix):
                continue
            left = word[: len(word) - len(suffix)]
            if len(left) < min_left or not _has_vowel(left):
                continue
            if suffix == "s" and word.endswith(_NO_PLURAL_S):
                continue
            word = left + repl
            if suffix in ("ing", "ings", "ed"):
                # Porter's rule: "authenticating" -> "authenticat" -> "authenticate", so the next round
                # reaches the same key as "authenticate" and "authentication".
                word = word + "e" if word.endswith(("at", "iz", "bl")) else _undouble(word)
            break
        if word in _IRREGULAR:
            return _IRREGULAR[word]
        if word == before:
            break
    return _undouble(word)


# --- phrases --------------------------------------------------------------------------------------


class PhraseTable:
    """Greedy longest-match replacement of token sequences (stop phrases, thesaurus terms)."""

    def __init__(self) -> None:
        self._by_first: dict[str, list[tuple[tuple[str, ...], str | None]]] = {}

    def add(self, phrase: Sequence[str], replacement: str | None) -> None:
        """Map the token sequence ``phrase`` to ``replacement`` (None deletes it)."""
        if not phrase:
            return
        options = self._by_first.setdefault(phrase[0], [])
        options.append((tuple(phrase), replacement))
        options.sort(key=lambda item: -len(item[0]))

    def get(self, phrase: Sequence[str]) -> tuple[bool, str | None]:
        """(known, replacement) of an exact phrase."""
        for known, repl in self._by_first.get(phrase[0], ()) if phrase else ():
            if known == tuple(phrase):
                return True, repl
        return False, None

    def options(self, first: str) -> list[tuple[tuple[str, ...], str | None]]:
        """Phrases starting with ``first``, longest first."""
        return self._by_first.get(first, [])

    def apply(self, toks: Sequence[str]) -> tuple[list[str], list[tuple[str, tuple[str, ...]]]]:
        """Replace phrases left to right, longest first; returns (new tokens, [(replacement, phrase)])."""
        out: list[str] = []
        hits: list[tuple[str, tuple[str, ...]]] = []
        i, n = 0, len(toks)
        while i < n:
            for phrase, repl in self._by_first.get(toks[i], ()):
                k = len(phrase)
                if tuple(toks[i : i + k]) == phrase:
                    if repl is not None:
                        out.append(repl)
                        hits.append((repl, phrase))
                    i += k
                    break
            else:
                out.append(toks[i])
                i += 1
        return out, hits


@dataclass(frozen=True)
class Analysis:
    """A text reduced to the terms the matcher compares."""

    terms: tuple[str, ...]
    """Terms in text order: word stems and concept terms (``@mfa``)."""
    text: str
    """The terms joined by spaces, for fuzzy string comparison."""
    concepts: tuple[tuple[str, str], ...]
    """(concept, the words that named it) for every thesaurus hit."""
    words: tuple[str, ...] = ()
    """The folded words the terms came from (stop words included, stop phrases removed)."""

    @property
    def term_set(self) -> frozenset[str]:
        """The distinct terms."""
        return frozenset(self.terms)


class Normalizer:
    """The full pipeline, configured by abbreviations, stop phrases, stop words and thesaurus terms.

    Build one with :func:`trustfill.matching.thesaurus.load_thesaurus`; an empty one (no stop words, no
    thesaurus) still folds, tokenises and stems.
    """

    def __init__(
        self,
        *,
        abbreviations: dict[str, str] | None = None,
        stop_phrases: Iterable[str] = (),
        stop_words: Iterable[str] = (),
    ) -> None:
        self.abbreviations = {k: tuple(tokens(v)) for k, v in (abbreviations or {}).items()}
        self.stop_words: frozenset[str] = frozenset(t for w in stop_words for t in tokens(w))
        self.stops = PhraseTable()
        for phrase in stop_phrases:
            self.stops.add(self._expand(tokens(phrase)), None)
        self.thesaurus = PhraseTable()
        self.contrasts: tuple[frozenset[str], ...] = ()
        """Sets of concept names that are alternatives, not synonyms (see thesaurus.yaml)."""
        self._vocabulary: set[str] = set(self.stop_words)
        for phrase in stop_phrases:
            self._vocabulary.update(tokens(phrase))
        for expansion in self.abbreviations.values():
            self._vocabulary.update(expansion)
        self._cache: dict[str, Analysis] = {}

    def _expand(self, toks: list[str]) -> list[str]:
        if not self.abbreviations:
            return toks
        out: list[str] = []
        for t in toks:
            out.extend(self.abbreviations.get(t, (t,)))
        return out

    def stemmed(self, text: str, fix: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
        """(words, stems) after spelling fixes, abbreviations and stop phrases; stop words still present."""
        words = tokens(text)
        if fix:
            words = [fix.get(w, w) for w in words]
        raw, _ = self.stops.apply(self._expand(words))
        return raw, [stem(t) for t in raw]

    def phrase(self, term: str) -> tuple[str, ...]:
        """The stemmed token sequence a thesaurus term is matched as."""
        return tuple(self.stemmed(term)[1])

    def add_concept(self, term: str, phrase: Sequence[str], concept: str) -> None:
        """Register a thesaurus term (``phrase`` from :meth:`phrase`) for ``concept``."""
        self.thesaurus.add(tuple(phrase), CONCEPT_PREFIX + concept)
        self._vocabulary.update(tokens(term))
        self._cache.clear()

    def vocabulary(self) -> frozenset[str]:
        """Every word of the stop lists and thesaurus terms (known spellings for a corrector)."""
        return frozenset(self._vocabulary)

    def analyze(self, text: str, fix: Mapping[str, str] | None = None) -> Analysis:
        """Reduce ``text`` to terms (cached: questionnaires repeat themselves).

        Args:
            text: Any text.
            fix: Word corrections applied first (a spelling corrector's output), e.g. ``{"encyrpt": "encrypt"}``.
        """
        cached = self._cache.get(text) if not fix else None
        if cached is not None:
            return cached
        raw, stems = self.stemmed(text, fix)
        terms: list[str] = []
        concepts: list[tuple[str, str]] = []
        i, n = 0, len(stems)
        while i < n:
            for phrase, repl in self.thesaurus.options(stems[i]):
                k = len(phrase)
                if tuple(stems[i : i + k]) == phrase:
                    assert repl is not None
                    terms.append(repl)
                    concepts.append((repl[len(CONCEPT_PREFIX) :], " ".join(raw[i : i + k])))
                    i += k
                    break
            else:
                # stop words go only now, so thesaurus phrases can contain them ("data at rest")
                if raw[i] not in self.stop_words:
                    terms.append(stems[i])
                i += 1
        result = Analysis(tuple(terms), " ".join(terms), tuple(concepts), tuple(raw))
        # Bounded well below a huge questionnaire's size: the bank's texts and a file's repeats fit, while a
        # 100k-row file of distinct questions no longer keeps every analysis alive (issue 18, point 8).
        if not fix and len(self._cache) < ANALYSIS_CACHE_LIMIT:
            self._cache[text] = result
        return result
