"""suggest, review, train, evaluate: NLP-assisted coding."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.panel import Panel
from rich.text import Text

from qcode.cli.app import app
from qcode.cli.common import (
    FORMAT_OPTION,
    ListFormat,
    console,
    emit,
    err_console,
    note,
    open_project,
)
from qcode.coding.manual import default_coder
from qcode.errors import QcodeError
from qcode.models import Codebook
from qcode.neutralise import message_text, terminal_text
from qcode.session.evidence import matched_words
from qcode.store import Project
from qcode.words import plural

DECIMALS = 3
"""Decimals of every figure `qcode evaluate` prints."""
MIN_EXAMPLES = 3
"""Coded segments a code needs before `qcode train` learns it (as qcode.nlp.training)."""
CODER_OPTION = typer.Option(None, "--coder", "-c",
                            help="Coder name (default: QCODE_CODER, else your user name).")


@app.command()
def suggest(
    ctx: typer.Context,
    transcripts: list[str] = typer.Argument(None, help="Transcript ids (default: all)."),
    min_score: float | None = typer.Option(None, "--min-score", min=0.0, max=1.0,
                                           help="Lowest score to keep, for every code "
                                           "(default: each code's threshold learnt by "
                                           "'qcode train'; 0.5 without a model)."),
    rules_only: bool = typer.Option(False, "--rules-only",
                                    help="Use the codebook's keywords and patterns only, "
                                    "not the trained model."),
    coder: str | None = typer.Option(None, "--coder", "-c",
                                     help="Whose pending list to show (default: QCODE_CODER, "
                                     "else your user name)."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Suggest codes for respondent turns (Dutch NLP), stored as pending for 'qcode review'.

    Re-running updates the pending suggestions in place; confirmed codings are never
    touched. Each suggestion has a score (0-1), a method and the words that triggered it.

    Example: qcode suggest noordrand-r01 --format jsonl
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from qcode.coding.assisted import suggest_for_project

    with open_project(ctx) as project, Progress(
        TextColumn("suggesting"), BarColumn(), MofNCompleteColumn(), console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("suggest", total=None)
        outcome = suggest_for_project(
            project, coder=default_coder(coder), transcripts=transcripts or None,
            min_score=min_score, rules_only=rules_only,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    table = fmt is ListFormat.table
    rows = [
        {"transcript": s.transcript, "segment": s.segment, "code": s.code,
         "score": f"{s.score:.2f}" if table else s.score, "method": s.method,
         # On screen the matched words once each; scripts get the stored evidence.
         "evidence": ", ".join(matched_words(s.text, s.spans)) if table else list(s.evidence)}
        for s in outcome.suggestions
    ]
    emit(rows, fmt, columns=["transcript", "segment", "code", "score", "method", "evidence"],
         title=f"Pending suggestions ({len(rows)})", empty="no pending suggestions")
    using = f"rules and the {'/'.join(outcome.models)} model" if outcome.models else "rules only"
    note(f"{outcome.segments} respondent segments ({outcome.words:,} words), {using}: "
         f"{outcome.new} new, {outcome.updated} updated, {outcome.withdrawn} withdrawn; "
         f"{len(outcome.suggestions)} pending for {default_coder(coder)} (leaving out what "
         "they already coded or decided)")
    for message in outcome.notes:
        note(f"note: {message}")


class ReviewOrder(str, Enum):
    transcript = "transcript"
    score = "score"
    uncertain = "uncertain"


@app.command()
def review(
    ctx: typer.Context,
    transcript: list[str] = typer.Argument(None, help="Transcript ids (default: all)."),
    accept: list[str] = typer.Option([], "--accept", help="Accept TRANSCRIPT:SEGMENT:CODE "
                                     "(repeatable)."),
    reject: list[str] = typer.Option([], "--reject", help="Reject TRANSCRIPT:SEGMENT:CODE "
                                     "(repeatable)."),
    accept_above: float | None = typer.Option(None, "--accept-above", min=0.0, max=1.0,
                                              help="Accept every pending suggestion with at "
                                              "least this score (recorded as bulk)."),
    order: ReviewOrder = typer.Option(ReviewOrder.transcript, "--order",
                                      help="transcript (segment order), score (most "
                                      "confident first) or uncertain (closest to 0.5 first)."),
    coder: str | None = CODER_OPTION,
    list_: bool = typer.Option(False, "--list", help="List your pending suggestions "
                               "(--format table, csv or jsonl) instead of reviewing them."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Accept or reject your pending suggestions, one by one or from a script.

    Interactively, one key each (no Enter): a accept, r reject, s skip, o accept with
    another code (found by id, Dutch label or keyword, as in the coding screen), q quit.
    Every decision is saved at once, as the coder's own: another coder still has the
    suggestion pending. --list shows what is pending for you. --order score goes fast
    through the surest ones; --order uncertain asks first about those that teach the model
    most.

    Example: qcode review noordrand-r01 --order uncertain --coder b
    Example: qcode review --accept noordrand-r01:14:members --coder ref
    """
    from qcode.coding import assisted

    who = default_coder(coder)
    if list_ and (accept or reject or accept_above is not None):
        from qcode.errors import UsageError

        raise UsageError("--list shows your pending suggestions; give it without --accept, "
                         "--reject or --accept-above")
    with open_project(ctx) as project:
        if list_:
            pending = assisted.order_suggestions(
                assisted.pending_suggestions(project, coder=who, transcripts=transcript or None),
                order.value,
            )
            table = fmt is ListFormat.table
            rows = [
                {"transcript": s.transcript, "segment": s.segment, "code": s.code,
                 "score": s.score, "method": s.method,
                 "evidence": " | ".join(s.evidence[:2]) if table else list(s.evidence)}
                for s in pending
            ]
            emit(rows, fmt, columns=["transcript", "segment", "code", "score", "method",
                                     "evidence"],
                 title=f"Pending suggestions for {who}",
                 empty=f"no pending suggestions for {who}; run 'qcode suggest' first")
            return
        if accept or reject or accept_above is not None:
            with project.atomic():
                chosen = [(assisted.find_suggestion(project, s, coder=who), True)
                          for s in accept]
                chosen += [(assisted.find_suggestion(project, s, coder=who), False)
                           for s in reject]
                for suggestion, ok in chosen:
                    if ok:
                        assisted.accept(project, suggestion, coder=who)
                    else:
                        assisted.reject(project, suggestion, coder=who)
                bulk = (assisted.accept_above(project, accept_above, coder=who,
                                              transcripts=transcript or None)
                        if accept_above is not None else [])
            note(f"accepted {len(accept) + len(bulk)}, rejected {len(reject)} (coder {who})")
            return
        _interactive_review(project, transcript or [], who, order.value)


REVIEW_KEYS = {"a": "accept", "r": "reject", "s": "skip", "o": "other code", "q": "quit"}
CHOICES = 9
"""How many matching codes 'o' offers to choose from by number."""


def _interactive_review(
    project: Project, transcripts: list[str], coder: str, order: str = "transcript"
) -> None:
    from qcode.cli.terminal import read_key
    from qcode.coding import assisted
    from qcode.store.codebook import require_codebook

    codebook = require_codebook(project)
    labels = {c.id: c.label for c in codebook.codes}
    pending = assisted.order_suggestions(
        assisted.pending_suggestions(project, coder=coder, transcripts=transcripts or None),
        order,
    )
    if not pending:
        note("no pending suggestions; run 'qcode suggest' first")
        return
    decided = {"accepted": 0, "rejected": 0, "skipped": 0}
    question = "  ".join(f"[{key}] {name}" for key, name in REVIEW_KEYS.items()) + " "
    for number, suggestion in enumerate(pending, 1):
        # terminal_text keeps one character for one, so the evidence spans still fit.
        text = Text(terminal_text(suggestion.text))
        for start, end in suggestion.spans:
            text.stylize("bold black on yellow", start, end)
        console.print(Panel(
            text,
            title=Text(f"{terminal_text(suggestion.transcript)} segment {suggestion.segment} "
                       f"({number}/{len(pending)})"),
            subtitle=Text(f"{suggestion.code} {terminal_text(labels.get(suggestion.code, ''))} "
                          f"score {suggestion.score:.2f} ({suggestion.method})"),
        ))
        words = matched_words(suggestion.text, suggestion.spans)
        if words:
            console.print(Text("evidence: " + terminal_text(", ".join(words)), style="dim"))
        while True:
            key = read_key(question)
            if key in ("q", None):
                _summary(decided)
                return
            try:
                if key == "a":
                    assisted.accept(project, suggestion, coder=coder)
                    decided["accepted"] += 1
                elif key == "r":
                    assisted.reject(project, suggestion, coder=coder)
                    decided["rejected"] += 1
                elif key == "s":
                    decided["skipped"] += 1
                elif key == "o":
                    code = _choose_code(codebook)
                    if code is None:
                        continue
                    assisted.accept(project, suggestion, coder=coder, code=code)
                    decided["accepted"] += 1
                    note(f"coded {suggestion.transcript}:{suggestion.segment} {code}")
                else:
                    err_console.print(Text(f"'{key}' is not one of {', '.join(REVIEW_KEYS)}; "
                                           "press one of those keys", style="red"))
                    continue
            except QcodeError as exc:
                err_console.print(Text(message_text(str(exc)), style="red"))
                continue
            break
    _summary(decided)


def _choose_code(codebook: Codebook) -> str | None:
    """A code found as in the coding screen (id, Dutch label or keyword, forgiving case,
    accents and a typo), chosen by number; None to go back to the suggestion."""
    from qcode.cli.terminal import read_key, read_line
    from qcode.codebook.search import search_codes

    while True:
        query = read_line("code (id, Dutch label or keyword; empty to go back): ")
        if not query:
            return None
        matches = search_codes(codebook, query)[:CHOICES]
        if not matches:
            err_console.print(Text(f"no code matches '{query}'; try other words", style="red"))
            continue
        for number, match in enumerate(matches, 1):
            err_console.print(Text(f"  {number}  {match.code.id}  {match.code.label}"))
        key = read_key(f"number of the code (1-{len(matches)}), or another key to search "
                       "again: ")
        if key is None:
            return None
        if key.isdigit() and 1 <= int(key) <= len(matches):
            return matches[int(key) - 1].code.id


def _summary(decided: dict[str, int]) -> None:
    note(f"accepted {decided['accepted']}, rejected {decided['rejected']}, skipped "
         f"{decided['skipped']}; all decisions are saved")


class TrainLevel(str, Enum):
    top = "top"
    full = "full"
    both = "both"


@app.command()
def train(
    ctx: typer.Context,
    level: TrainLevel = typer.Option(TrainLevel.both, "--level",
                                     help="top (top-level codes), full (sub-codes) or both."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Learn only from these coders "
                                    "(default: every coder's codings)."),
    min_examples: int = typer.Option(MIN_EXAMPLES, "--min-examples", min=1,
                                     help="Coded segments a code needs to be learned."),
    all_codes: bool = typer.Option(False, "--all-codes", help="Refuse to train unless every "
                                   "code has enough coded segments."),
    skip_rare: bool = typer.Option(True, "--skip-rare", hidden=True,
                                   help="Leave out rare codes (what train does anyway)."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Learn suggestions from the confirmed codings (rejected suggestions count against).

    Codes with fewer than --min-examples coded segments are left out and named; a level
    with no such code is not trained. It fails only when nothing can be learned.

    Example: qcode train --coder ref
    """
    from qcode.coding.assisted import MODEL_LEVELS
    from qcode.coding.assisted import train as train_models
    from qcode.nlp import NothingToTrainError

    levels = MODEL_LEVELS if level is TrainLevel.both else (level.value,)
    try:
        with open_project(ctx) as project, err_console.status("training"):
            infos = train_models(project, levels=levels, coders=coder,
                                 skip_rare=skip_rare and not all_codes,
                                 min_examples=min_examples)
    except NothingToTrainError as exc:
        helps = ["code more segments"]
        if exc.level == "full":
            helps.append("train the top-level codes, which gather their sub-codes' segments "
                         "(--level top)")
        if coder:
            helps.append("learn from every coder's codings (leave out --coder)")
        if min_examples > 1:
            helps.append("learn codes from fewer examples (a lower --min-examples)")
        raise QcodeError(
            f"nothing to train: no code has {exc.minimum} or more coded segments at "
            f"{exc.level} level; {', '.join(helps[:-1])} or {helps[-1]}"
        ) from None
    rows = [
        {"level": i.level, "codes": len(i.labels), "examples": i.examples,
         "skipped": len(i.skipped), "seconds": round(i.seconds, 1)}
        for i in infos
    ]
    emit(rows, fmt, columns=list(rows[0]), title="Trained models")
    trained = {i.level for i in infos}
    for skipped_level in (lv for lv in levels if lv not in trained):
        note(f"{skipped_level} level: not trained, no code has {min_examples} or more coded "
             "segments")
    for info in infos:
        if info.skipped:
            counts = ", ".join(f"{code} ({info.positives.get(code, 0)})" for code in info.skipped)
            note(f"{info.level} level: left out {plural(len(info.skipped), 'code')} with fewer "
                 f"than {min_examples} coded segments (too few to learn from; code more "
                 f"segments with them): {counts}")




class EvalLevel(str, Enum):
    top = "top"
    full = "full"


@app.command()
def evaluate(
    ctx: typer.Context,
    level: EvalLevel = typer.Option(EvalLevel.top, "--level", help="top or full."),
    folds: int = typer.Option(5, "--folds", min=2, help="Number of folds (by transcript)."),
    coder: list[str] = typer.Option([], "--coder", "-c", help="Score against these coders' "
                                    "codings (default: every coder)."),
    min_score: float | None = typer.Option(None, "--min-score", min=0.0, max=1.0,
                                           help="One threshold for every code (default: "
                                           "each code's own, as qcode suggest)."),
    curve: bool = typer.Option(False, "--curve", help="Instead: F1 after 0, 1, 2, ... coded "
                               "transcripts (when do suggestions pay off?)."),
    orderings: int = typer.Option(5, "--orderings", min=1, help="With --curve: random "
                                  "orders of the transcripts to average over."),
    plot: Path | None = typer.Option(None, "--plot", help="With --curve: also draw it as a "
                                     "picture: .png, .svg or .pdf."),
    fmt: ListFormat = FORMAT_OPTION,
) -> None:
    """Report honest suggestion accuracy: cross-validation by transcript.

    Precision, recall and F1 per code and overall, for a naive keyword baseline, the rules,
    a model from the codebook alone, the model and rules with the model; no transcript is
    ever scored by a model trained on it. A reliability table shows how far the scores
    are probabilities. --curve shows F1 after 0, 1, 2, ... coded transcripts instead.

    Example: qcode evaluate --coder ref --level top
    Example: qcode evaluate --coder ref --curve --orderings 1 --plot curve.png
    """
    from qcode.coding.assisted import evaluate_project

    if plot is not None and not curve:
        raise typer.BadParameter("--plot draws the learning curve: add --curve",
                                 param_hint="--plot")
    if curve:
        _curve(ctx, level.value, coder, orderings, min_score, plot, fmt)
        return
    with open_project(ctx) as project, err_console.status("cross-validating"):
        report = evaluate_project(project, level=level.value, k=folds, coders=coder,
                                  min_score=min_score)
    methods = list(report.methods)
    table = fmt is ListFormat.table

    def figure(value: float) -> object:
        # Three decimals everywhere: 0.400 beside 0.667, never 0.4.
        return round(value, DECIMALS) if fmt is ListFormat.jsonl else f"{value:.{DECIMALS}f}"

    rows: list[dict[str, object]] = []
    codes = sorted({c for m in report.methods.values() for c in m.per_code})
    for code in codes:
        row: dict[str, object] = {"code": code, "n": 0}
        for method in methods:
            scores = report.methods[method].per_code.get(code)
            if scores is not None:
                row["n"] = scores.support
            row[f"{method}_f1"] = figure(scores.f1) if scores else None
            if not table:
                row[f"{method}_precision"] = figure(scores.precision) if scores else None
                row[f"{method}_recall"] = figure(scores.recall) if scores else None
        rows.append(row)
    micro: dict[str, object] = {"code": "micro", "n": None}
    macro: dict[str, object] = {"code": "macro", "n": None}
    for method in methods:
        m = report.methods[method]
        micro[f"{method}_f1"] = figure(m.micro.f1)
        macro[f"{method}_f1"] = figure(m.macro_f1)
        if not table:
            micro[f"{method}_precision"] = figure(m.micro.precision)
            micro[f"{method}_recall"] = figure(m.micro.recall)
            if method in report.calibration:
                micro[f"{method}_ece"] = figure(report.calibration[method].ece)
    rows += [micro, macro]
    columns = ["code", "n", *[f"{m}_f1" for m in methods]]
    if not table:
        columns += [f"{m}_{s}" for m in methods for s in ("precision", "recall")]
        columns += [f"{m}_ece" for m in methods if m in report.calibration]
    else:  # the title says F1; short headers keep five methods within 80 columns
        rows = [{k.removesuffix("_f1"): v for k, v in row.items()} for row in rows]
        columns = [c.removesuffix("_f1") for c in columns]
    emit(rows, fmt, columns=columns,
         title=f"Cross-validated F1 at {report.level} level ({len(report.folds)} folds by "
               f"transcript, {report.transcripts} transcripts, {report.segments} segments)")
    if table:
        overall = [
            {"method": method, "micro P": figure(m.micro.precision),
             "micro R": figure(m.micro.recall), "micro F1": figure(m.micro.f1),
             "macro F1": figure(m.macro_f1),
             "ECE": figure(report.calibration[method].ece)
             if method in report.calibration else None}
            for method, m in report.methods.items()
        ]
        emit(overall, fmt, columns=list(overall[0]), title="Overall")
        if "combined" in report.calibration:
            _reliability_table(report.calibration["combined"])
        note(f"baseline: {report.baseline}")
        for message in report.notes:
            note(f"note: {message}")


def _reliability_table(found: object) -> None:
    """The reliability of the combined scores: per score bin, how many out-of-fold
    (segment, code) scores fell in it and how many of them the coder had coded."""
    from qcode.nlp.evaluation import Reliability

    assert isinstance(found, Reliability)
    rows = [{"score": f"{b.low:.1f}-{b.high:.1f}", "pairs": b.count,
             "mean score": f"{b.mean_score:.3f}", "share coded": f"{b.share_correct:.3f}"}
            for b in found.bins if b.count]
    emit(rows, ListFormat.table, columns=["score", "pairs", "mean score", "share coded"],
         title="Reliability of the scores (rules and model, out of fold)")
    note(f"expected calibration error {found.ece:.3f} over {found.pairs} (segment, code) "
         f"scores, {found.distinct_scores} distinct; {found.ece_suggestible:.3f} over those of "
         "0.2 and up, where suggestions land; a well calibrated score of p is right about p "
         "of the time")


def _curve(ctx: typer.Context, level: str, coder: list[str], orderings: int,
           min_score: float | None, plot: Path | None, fmt: ListFormat) -> None:
    from qcode.coding.assisted import curve_project

    if plot is not None:
        from qcode.exports.plot import check_plot_target

        check_plot_target(plot)
    with open_project(ctx) as project, err_console.status("training on growing sets"):
        found = curve_project(project, level=level, coders=coder, orderings=orderings,
                              min_score=min_score)
    rows = [
        {"transcripts": p.transcripts, "micro_f1": round(p.micro_f1, 3),
         "macro_f1": round(p.macro_f1, 3), "lowest": round(p.lowest_micro_f1, 3),
         "highest": round(p.highest_micro_f1, 3), "rules_alone": round(p.rules_micro_f1, 3)}
        for p in found.points
    ]
    emit(rows, fmt, columns=list(rows[0]),
         title=f"Micro F1 at {found.level} level after n coded transcripts, tested on the "
               f"others (mean, lowest and highest of {found.orderings} orderings)")
    after = found.pays_off_after
    note("suggestions beat the rules alone " + (
        "from the codebook alone on" if after == 0 else
        f"after {after} coded transcript{'s' if after != 1 else ''}" if after is not None
        else "at no point of this curve"))
    if plot is not None:
        from qcode.exports.curve_plot import write_curve_plot

        write_curve_plot(found, plot, title=f"Suggestions after n coded transcripts "
                                            f"({found.level} level)")
        note(f"drew the learning curve in {plot}")
