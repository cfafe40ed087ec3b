"""Compositional emergency detection: a hazard concept plus a state concept close together
(gas + a smell, a lift + someone trapped, water + a burst or a spread), then cue words for
"is it happening now?" (negated, hypothetical, past, resolved, or nobody needs to come).

Phrase lists chase wordings: 燃气泄漏, 煤气味好大, 天然气管子嘶嘶响 are three patterns but
one fact (gas + a sign of a leak). Concepts are editable synonym lists in
nlu/data/hazards.tsv, so a resident's new word for "gas" or for "pouring" joins every
combination at once. One scan finds every concept word (nested ones too); messages with
no hazard word stop there.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlu.datafiles import DataFileError, rows
from nlu.matcher import PhraseMatcher

# All parts of a combination must fall within this many characters (first start to last
# end): "电梯卡在8楼和9楼中间了 我和我女儿在里面" spans two clauses.
SPAN = 24
# A negation reaches a hazard word starting at most this many characters after it, within
# the clause: 没有燃气味 / 没有闻到煤气味, but not "没人在家 水管爆了".
NEG_REACH = 5
# A hypothetical or past marker reaches this far back from the hit, within the sentence.
CUE_REACH = 14
# "困人那次", "冒火花那事": the past marker right after the hit.
PASTX_REACH = 3
# A small amount (一点, 不多) this close to the hit makes it a routine fault.
MILD_REACH = 8
_CLAUSE_BREAKS = frozenset(".!?,;: ~")
_SENTENCE_BREAKS = frozenset(".!?")
CUES = frozenset({"NEG", "HYPO", "PAST", "PASTX", "DONE", "NOW", "MILD", "CALM", "MASK"})
KINDS = frozenset(
    {"gas", "lift", "flood", "sewage", "electric", "fire", "falling", "injury", "trapped", "help"}
)

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Finding:
    kinds: tuple[str, ...]  # live emergencies, in the order of the combinations
    vetoed: bool  # a combination matched but a cue cancelled it


NOTHING = Finding((), False)


@dataclass(frozen=True, slots=True)
class HazardDetector:
    matcher: PhraseMatcher
    concepts: dict[str, tuple[str, ...]]  # word -> the concepts it stands for
    # (kind, concepts that must co-occur, concepts any of which cancels the combination)
    combos: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    hazards: frozenset[str]  # every concept some combination uses
    # concept -> indices of the combinations needing it (only those can match a message)
    by_concept: dict[str, tuple[int, ...]]

    def detect(self, text: str) -> Finding:
        found = self.matcher.find_overlapping(text)
        if not found:
            return NOTHING
        concepts = self.concepts
        masks = [(p, p + len(w)) for p, w in found if "MASK" in concepts[w]]
        occ: dict[str, list[Span]] = {}
        for pos, word in found:
            end = pos + len(word)
            # A word overlapping a MASK word it does not contain is not itself (燃气 in
            # 燃气费, 急 in 应急, 全是烟 in 全是烟头); a word listed under MASK and a concept
            # keeps that concept (被电梯 is a lift, not 被电).
            if masks and any(
                pos < me and ms < end and not (pos <= ms and me <= end) for ms, me in masks
            ):
                continue
            for concept in concepts[word]:
                occ.setdefault(concept, []).append((pos, end))
        if self.hazards.isdisjoint(occ):
            return NOTHING
        return self._combine(text, occ)

    def _combine(self, text: str, occ: dict[str, list[Span]]) -> Finding:
        negs = occ.get("NEG")
        live = occ if not negs else _drop_negated(text, occ, negs, self.hazards)
        kinds: list[str] = []
        vetoed = False
        by_concept = self.by_concept
        candidates: set[int] = set()
        for concept in occ:
            candidates.update(by_concept.get(concept, ()))
        for i in sorted(candidates):
            kind, parts, unless = self.combos[i]
            if kind in kinds or not all(p in occ for p in parts):
                continue
            lists = [live.get(p, []) for p in parts]
            if not all(lists):
                # Every part is there but one only negated (没有燃气味): a cancelled hit.
                vetoed = True
                continue
            if unless and any(u in occ for u in unless):
                vetoed = True  # a harmless cause is named (烧纸 for smoke)
                continue
            for start, end in _near(lists):
                if _current(text, start, end, occ):
                    kinds.append(kind)
                    break
                vetoed = True
        return Finding(tuple(kinds), vetoed and not kinds)


def _drop_negated(
    text: str, occ: dict[str, list[Span]], negs: list[Span], hazards: frozenset[str]
) -> dict[str, list[Span]]:
    """The occurrences no negation reaches (没有燃气味 keeps 味 alone: no gas, no hit)."""
    out: dict[str, list[Span]] = {}
    for concept, spans in occ.items():
        if concept not in hazards:
            out[concept] = spans
            continue
        kept = [s for s in spans if not _negated(text, s[0], negs)]
        if kept:
            out[concept] = kept
    return out


def _negated(text: str, start: int, negs: list[Span]) -> bool:
    for _, ne in negs:
        if 0 <= start - ne <= NEG_REACH and _CLAUSE_BREAKS.isdisjoint(text[ne:start]):
            return True
    return False


def _near(lists: list[list[Span]]) -> list[Span]:
    """Spans (first start, last end) joining one occurrence of each part, the others
    chosen nearest to each occurrence of the first part, at most SPAN characters long."""
    out: list[Span] = []
    for a_start, a_end in lists[0]:
        start, end = a_start, a_end
        for other in lists[1:]:
            s, e = min(other, key=lambda sp: abs(sp[0] - a_start))
            start, end = min(start, s), max(end, e)
        if end - start <= SPAN:
            out.append((start, end))
    return out


def _current(text: str, start: int, end: int, occ: dict[str, list[Span]]) -> bool:
    """Whether a hit at text[start:end] is an emergency now, from the cue words around it."""
    if "CALM" in occ:
        return False
    now = occ.get("NOW", ())
    for ds, de in occ.get("DONE", ()):
        # Resolved after the hit (救出来了), unless it is going on again (但是还在漏).
        if ds >= end and not any(ns >= de for ns, _ in now):
            return False
    if now:
        return True
    for cue in ("HYPO", "PAST"):
        # Before the hit or inside it (玻璃...以后会不会掉下去), in the same sentence.
        for cs, ce in occ.get(cue, ()):
            if cs < end and start - ce <= CUE_REACH and _SENTENCE_BREAKS.isdisjoint(text[ce:start]):
                return False
    for ms, me in occ.get("MILD", ()):
        # "漫出来一点 不多": a small amount, next to the hit in the same sentence.
        near = start - me if me <= start else ms - end
        lo, hi = (me, start) if me <= start else (end, ms)
        if near <= MILD_REACH and _SENTENCE_BREAKS.isdisjoint(text[lo:hi]):
            return False
    return not any(0 <= ps - end <= PASTX_REACH for ps, _ in occ.get("PASTX", ()))


def load_hazards() -> HazardDetector:
    """Read hazards.tsv: `word<TAB>CONCEPT<TAB>words...` and `when<TAB>kind<TAB>A + B`."""
    concepts: dict[str, list[str]] = {}
    combos: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []
    for lineno, fields in enumerate(rows("hazards.tsv", 3)):
        where = f"hazards.tsv entry {lineno + 1}"
        tag, name, body = fields
        if tag == "word":
            for word in body.lower().split():
                entry = concepts.setdefault(word, [])
                if name not in entry:
                    entry.append(name)
        elif tag == "when":
            if name not in KINDS:
                raise DataFileError(f"{where}: unknown kind {name!r}")
            need, _, cancel = body.partition("-")
            parts = tuple(p.strip() for p in need.split("+"))
            unless = tuple(p.strip() for p in cancel.split("+")) if cancel.strip() else ()
            if not all(parts) or not all(unless):
                raise DataFileError(f"{where}: empty concept in {body!r}")
            combos.append((name, parts, unless))
        else:
            raise DataFileError(f"{where}: expected `word` or `when`, got {tag!r}")
    known = {c for names in concepts.values() for c in names}
    for kind, parts, unless in combos:
        for part in (*parts, *unless):
            if part not in known:
                raise DataFileError(f"hazards.tsv: {kind} uses undefined concept {part!r}")
            if part in CUES and part not in unless:
                raise DataFileError(f"hazards.tsv: {kind} uses the cue {part!r}")
    if not combos:
        raise DataFileError("hazards.tsv has no `when` lines")
    return HazardDetector(
        matcher=PhraseMatcher(concepts),
        concepts={w: tuple(c) for w, c in concepts.items()},
        combos=tuple(combos),
        hazards=frozenset(p for _, parts, _ in combos for p in parts),
        by_concept={
            c: tuple(i for i, (_, parts, _) in enumerate(combos) if c in parts)
            for c in {p for _, parts, _ in combos for p in parts}
        },
    )
