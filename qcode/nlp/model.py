"""A learned code classifier: spaCy ``textcat_multilabel`` with a bag-of-words model.

The architecture is ``spacy.TextCatBOW.v3`` (hashed word counts, no vectors) over the
words of :mod:`qcode.nlp.features` (lemmas and compound parts). :mod:`qcode.nlp.training`
trains it; this module holds a trained model, predicts with it and saves it.

Prediction feeds the model's linear layer directly with the bag of words computed for a
whole batch (:func:`qcode.nlp.features.bag_of_words`), which is what its
``extract_ngrams`` layer would compute from spaCy documents, without building them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qcode.models import Codebook
from qcode.nlp import calibration
from qcode.nlp.errors import ModelMismatchError, NlpError

if TYPE_CHECKING:
    from spacy.language import Language

FORMAT_VERSION = 2
"""2: rule evidence among the model's features, per-code thresholds and base rates."""

MODEL_CONFIG: dict[str, Any] = {
    "@architectures": "spacy.TextCatBOW.v3",
    "exclusive_classes": False,
    "ngram_size": 1,
    "no_output_layer": False,
    "length": 2**14,
}
"""Unigrams only: bigrams doubled prediction time without helping on interview data
(measured again for issue 16: lemma bigrams, function words skipped, lowered the
sample's cross-validated F1 from 0.714 to 0.688).
2**14 hashed weights per code keep training updates small enough to train on 5,000
segments within a minute."""


@dataclass(frozen=True)
class ModelInfo:
    """What a model was trained on; stored with it."""

    codebook_version: str
    codebook_name: str
    level: str
    labels: tuple[str, ...]
    examples: int
    positives: dict[str, int]
    skipped: tuple[str, ...]
    trained_at: str
    seed: int
    epochs: int
    seconds: float
    spacy_version: str
    seeds: int = 0
    """Training examples written by the codebook (see :mod:`qcode.nlp.seeds`)."""


class TrainedModel:
    """A trained classifier with what it was trained on and how to combine its scores."""

    def __init__(
        self,
        nlp: Language,
        info: ModelInfo,
        combiner: calibration.Combiner,
        reliability: calibration.RuleReliability | None = None,
        *,
        thresholds: dict[str, float] | None = None,
        base_rates: dict[str, float] | None = None,
        asked_thresholds: dict[str, float] | None = None,
    ) -> None:
        import numpy

        self._nlp = nlp
        self.info = info
        self.thresholds = dict(thresholds or {})
        """Per code, the score from which it is suggested (chosen by cross-validation)."""
        self.asked_thresholds = dict(asked_thresholds or {})
        """The same for a turn whose question is known, when the combiner reads it."""
        self.base_rates = dict(base_rates or {})
        """Per code, its (weighted) share of the training examples."""
        self.combiner = combiner
        self.reliability = reliability or calibration.RuleReliability({}, {})
        self._word_logits: dict[str, list[float]] = {}
        self._key_vectors: dict[int, Any] = {}
        self._form_slot: dict[int, int] = {}
        self._form_table: Any = numpy.zeros((0, len(info.labels)), dtype="float32")
        self._form_worded: Any = numpy.zeros(0)
        self._key_bias: dict[str, Any] = {}
        self._linear, self._output = _layers(nlp)

    @property
    def level(self) -> str:
        return self.info.level

    @property
    def labels(self) -> tuple[str, ...]:
        return self.info.labels

    def threshold(self, label: str, *, asked: bool = False) -> float:
        """The score from which ``label`` is suggested when no minimum score is asked
        (``asked``: for a turn whose question is known)."""
        if asked and label in self.asked_thresholds:
            return self.asked_thresholds[label]
        return self.thresholds.get(label, calibration.DEFAULT_MIN_SCORE)

    def base_rate(self, label: str) -> float:
        return self.base_rates.get(label, calibration.NO_EVIDENCE_SCORE)

    @property
    def codebook_version(self) -> str:
        return self.info.codebook_version

    def check_codebook(self, codebook: Codebook) -> None:
        """Refuse a codebook that changed since the model was trained."""
        if codebook.version != self.info.codebook_version:
            raise ModelMismatchError(
                f"The {self.level}-level model was trained on codebook version "
                f"{self.info.codebook_version}, but the codebook is now version "
                f"{codebook.version}: train the model again."
            )

    def predict_bag(self, bag: tuple[Any, Any, Any]) -> Any:
        """Probabilities (documents x :attr:`labels`) for a bag of words as made by
        :func:`qcode.nlp.features.bag_of_words`."""
        import numpy

        keys, values, lengths = bag
        if not len(lengths):
            return numpy.zeros((0, len(self.info.labels)))
        scores = self._output.predict(self._linear.predict((keys, values, lengths)))
        return numpy.asarray(scores, dtype="float64")

    def predict_tokens(
        self,
        lowers: Any,
        rows: Any,
        documents: int,
        strings: Any,
        terms: Any,
        codes: Sequence[str],
        unique: tuple[Any, Any] | None = None,
    ) -> Any:
        """What :meth:`predict_bag` gives for the bag :func:`~qcode.nlp.features.bag_of_words`
        would make from these tokens and rule evidence, computed without the bag.

        The model is linear in word counts, so a document's output before the logistic is
        the bias plus, for every token, the summed weights of its form's words, plus the
        weight of each code's rule evidence times its count: one weight vector per
        distinct form (kept between batches) and a sum per document. ``unique``: the
        distinct forms of ``lowers`` and where each token's is, when already known.
        """
        import numpy

        from qcode.nlp.features import EMPTY, MAX_RULE_COUNT, RULE_PREFIX, word_hash

        width = len(self.info.labels)
        logits = numpy.zeros((documents, width))
        if documents == 0:
            return logits
        bias = self._word_vectors([])[1]
        worded = numpy.zeros(documents, dtype=bool)
        if len(lowers):
            forms, inverse = unique if unique is not None else numpy.unique(
                lowers, return_inverse=True
            )
            slots = self._form_slots(forms.tolist(), strings)
            # only the tokens whose form gives the model words (not punctuation, numbers
            # or spaces) add anything
            useful = numpy.nonzero(self._form_worded[slots][inverse.reshape(-1)])[0]
            if len(useful):
                at = slots[inverse.reshape(-1)[useful]]
                # per document, the sum over its tokens (rows come in document order); no
                # matrix product, whose threads only fight over a busy machine's cores
                rows = numpy.asarray(rows, dtype="int64")[useful]
                present = numpy.unique(rows)
                starts = numpy.searchsorted(rows, present)
                logits[present] = numpy.add.reduceat(self._form_table[at], starts, axis=0)
                worded[present] = True
        empty = self._word_vectors([word_hash(EMPTY)])[0][word_hash(EMPTY)]
        logits[~worded] += empty
        if terms is not None and len(codes):
            rule_keys = [word_hash(RULE_PREFIX + code) for code in codes]
            vectors = self._word_vectors(rule_keys)[0]
            rule_table = numpy.stack([vectors[key] for key in rule_keys])
            counts = numpy.minimum(terms, MAX_RULE_COUNT)
            ruled_rows, ruled_codes = numpy.nonzero(counts)
            numpy.add.at(
                logits,
                ruled_rows,
                counts[ruled_rows, ruled_codes][:, None] * rule_table[ruled_codes],
            )
        return 1.0 / (1.0 + numpy.exp(-(logits + bias)))

    def _form_slots(self, forms: list[int], strings: Any) -> Any:
        """The row of each lowercase form (by hash) in :attr:`_form_table`, which holds
        the summed weights of the form's model words (and :attr:`_form_worded` whether
        it has any); forms met for the first time are added."""
        import numpy

        from qcode.nlp.features import form_hashes

        slot = self._form_slot
        fresh = [form for form in forms if form not in slot]
        if fresh:
            per_form = [form_hashes(form, strings) for form in fresh]
            vectors = self._word_vectors([h for hashes in per_form for h in hashes])[0]
            start = len(slot)
            if start + len(fresh) > len(self._form_table):
                size = max(2 * len(self._form_table), start + len(fresh), 1024)
                table = numpy.zeros((size, len(self.info.labels)), dtype="float32")
                table[:start] = self._form_table[:start]
                worded = numpy.zeros(size)
                worded[:start] = self._form_worded[:start]
                self._form_table, self._form_worded = table, worded
            for offset, (form, hashes) in enumerate(zip(fresh, per_form, strict=True)):
                for key in hashes:
                    self._form_table[start + offset] += vectors[key]
                self._form_worded[start + offset] = bool(hashes)
                slot[form] = start + offset
        return numpy.fromiter((slot[form] for form in forms), dtype="int64", count=len(forms))

    def _word_vectors(self, keys: Sequence[int]) -> tuple[dict[int, Any], Any]:
        """The weight vector of each model word (by hash) and the bias, from the linear
        layer (a one-word document gives bias + weight), computed once per word."""
        import numpy

        cache = self._key_vectors
        if "bias" not in self._key_bias:
            empty = numpy.zeros(0, dtype="uint64")
            self._key_bias["bias"] = numpy.asarray(
                self._linear.predict((empty, empty.astype("float32"), numpy.zeros(1, "int32")))[0],
                dtype="float64",
            )
        bias = self._key_bias["bias"]
        unseen = sorted({key for key in keys if key not in cache})
        if unseen:
            found = numpy.asarray(
                self._linear.predict(
                    (
                        numpy.asarray(unseen, dtype="uint64"),
                        numpy.ones(len(unseen), dtype="float32"),
                        numpy.ones(len(unseen), dtype="int32"),
                    )
                ),
                dtype="float64",
            )
            for key, row in zip(unseen, found - bias, strict=True):
                cache[key] = row
        return cache, bias

    def predict_words(self, word_lists: Sequence[Sequence[str]]) -> Any:
        """Probabilities (documents x :attr:`labels`) for documents given as model words
        (:func:`qcode.nlp.features.model_words`)."""
        from qcode.nlp.features import bag_of_word_lists

        return self.predict_bag(bag_of_word_lists(word_lists))

    def predict(self, texts: Sequence[str], codebook: Codebook) -> list[dict[str, float]]:
        """The model's own probabilities per code for raw texts (before rules and model
        are combined into a score); ``codebook`` gives the rule evidence the model reads."""
        from qcode.nlp.features import docs_bag
        from qcode.nlp.pipeline import get_pipeline
        from qcode.nlp.rules import RuleMatcher

        self.check_codebook(codebook)
        docs = list(get_pipeline().pipe(texts, batch_size=256))
        scores = self.predict_bag(docs_bag(docs, RuleMatcher(codebook).scan(docs)))
        return [dict(zip(self.info.labels, row, strict=True)) for row in scores.tolist()]

    def supporting_words(self, words: Sequence[str], label: str, limit: int = 3) -> list[str]:
        """The model words that push ``label`` up the most for this document, strongest
        first (only those that push it up noticeably)."""
        import numpy

        from qcode.nlp.features import word_hash

        if label not in self.info.labels:
            return []
        column = self.info.labels.index(label)
        unseen = sorted({w for w in words if w not in self._word_logits})
        if unseen:
            keys = numpy.asarray([word_hash(w) for w in unseen], dtype="uint64")
            ones = numpy.ones(len(unseen), dtype="float32")
            # the linear layer gives bias + weight per word; the bias alone comes from
            # a document without words
            base = self._linear.predict(
                (keys[:0], ones[:0], numpy.zeros(1, dtype="int32"))
            )
            found = self._linear.predict((keys, ones, numpy.ones(len(unseen), dtype="int32")))
            for word, row in zip(unseen, (found - base).tolist(), strict=True):
                self._word_logits[word] = row
        weights = {
            w: self._word_logits[w][column] for w in set(words) if w not in _stop_words()
        }
        ranked = sorted((w for w in weights if weights[w] > SUPPORT),
                        key=lambda w: (-weights[w], w))
        return ranked[:limit]

    # -- saving ------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        import srsly

        return srsly.msgpack_dumps(
            {
                "format": FORMAT_VERSION,
                "info": asdict(self.info),
                "combiner": {
                    "weights": list(self.combiner.weights),
                    "fitted_on": self.combiner.fitted_on,
                    "code_bias": self.combiner.code_bias,
                    "length_range": list(self.combiner.length_range),
                    "question_weights": list(self.combiner.question_weights),
                },
                "reliability": self.reliability.to_dict(),
                "thresholds": self.thresholds,
                "asked_thresholds": self.asked_thresholds,
                "base_rates": self.base_rates,
                "weights": self._nlp.to_bytes(exclude=["tokenizer"]),
            }
        )

    @classmethod
    def from_bytes(cls, payload: bytes) -> TrainedModel:
        import srsly

        try:
            content = srsly.msgpack_loads(payload)
            if content.get("format") != FORMAT_VERSION:
                raise NlpError(
                    f"The saved model has format {content.get('format')!r}; this qcode reads "
                    f"format {FORMAT_VERSION}: train the model again."
                )
            raw = content["info"]
            info = ModelInfo(
                **{
                    **raw,
                    "labels": tuple(raw["labels"]),
                    "skipped": tuple(raw["skipped"]),
                }
            )
            nlp = blank_classifier(info.labels)
            nlp.from_bytes(content["weights"], exclude=["tokenizer"])
            combiner = calibration.Combiner(
                weights=tuple(content["combiner"]["weights"]),
                fitted_on=int(content["combiner"]["fitted_on"]),
                code_bias={str(k): float(v)
                           for k, v in content["combiner"].get("code_bias", {}).items()},
                length_range=_pair(content["combiner"].get("length_range",
                                                           calibration.LENGTH_RANGE)),
                question_weights=_pair(content["combiner"].get("question_weights", (0.0, 0.0))),
            )
            reliability = calibration.RuleReliability.from_dict(content["reliability"])
        except NlpError:
            raise
        except Exception as error:
            raise NlpError(f"The saved model cannot be read ({error}): train it again.") from error
        return cls(
            nlp,
            info,
            combiner,
            reliability,
            thresholds={str(k): float(v) for k, v in content.get("thresholds", {}).items()},
            base_rates={str(k): float(v) for k, v in content.get("base_rates", {}).items()},
            asked_thresholds={str(k): float(v)
                              for k, v in content.get("asked_thresholds", {}).items()},
        )


SUPPORT = 0.03
"""The least a word must raise a code's log odds to be shown as what the model leaned on
(a word seen a few times with the code in training)."""


def _pair(values: Sequence[float]) -> tuple[float, float]:
    low, high = values
    return float(low), float(high)


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.nl.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def textcat(nlp: Language) -> Any:
    """The ``textcat_multilabel`` component of a classifier pipeline."""
    return nlp.get_pipe("textcat_multilabel")


def _layers(nlp: Language) -> tuple[Any, Any]:
    """The linear and output layers of the bag-of-words model (names as spaCy builds
    ``TextCatBOW.v3``)."""
    layers = {layer.name: layer for layer in textcat(nlp).model.walk()}
    try:
        return layers["resizable(sparse_linear)"], layers["logistic"]
    except KeyError as error:
        raise NlpError(
            "This spaCy builds the bag-of-words model differently than qcode expects."
        ) from error


def blank_classifier(labels: Iterable[str]) -> Language:
    """A spaCy pipeline with an untrained ``textcat_multilabel`` for ``labels``."""
    import spacy

    # the classifier never tokenises (it gets words), so it needs no Dutch tokenizer,
    # whose exception tables take a third of a second to build
    nlp = spacy.blank("xx")
    textcat: Any = nlp.add_pipe(
        "textcat_multilabel", config={"model": dict(MODEL_CONFIG), "threshold": 0.5}
    )
    for label in labels:
        textcat.add_label(label)
    return nlp
