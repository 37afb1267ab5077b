"""suggest, review, train, evaluate: NLP-assisted coding."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import typer
from rich.panel import Panel
from rich.table import Table
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
    screen_text,
)
from qcode.coding.manual import default_coder
from qcode.neutralise import message_text
from qcode.store import Project

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
        {"transcript": s.transcript, "segment": s.segment, "code": s.code, "score": s.score,
         "method": s.method,
         "evidence": " | ".join(s.evidence[:2]) if table else list(s.evidence)}
        for s in outcome.suggestions
    ]
    emit(rows, fmt, columns=["transcript", "segment", "code", "score", "method", "evidence"],
         title="Pending suggestions", empty="no pending suggestions")
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

    Interactively: a accept, r reject, s skip, o accept with another code, q quit.
    Every decision is saved at once, as the coder's own: another coder still has the
    suggestion pending. --list shows what is pending for you. --order score goes fast
    through the surest ones; --order uncertain asks first about those that teach the model
    most.

    Example: qcode review noordrand-r01 --order uncertain --coder b
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


def _interactive_review(
    project: Project, transcripts: list[str], coder: str, order: str = "transcript"
) -> None:
    from qcode.coding import assisted
    from qcode.errors import QcodeError
    from qcode.store.codebook import require_codebook

    labels = {c.id: c.label for c in require_codebook(project).codes}
    pending = assisted.order_suggestions(
        assisted.pending_suggestions(project, coder=coder, transcripts=transcripts or None),
        order,
    )
    if not pending:
        note("no pending suggestions; run 'qcode suggest' first")
        return
    decided = {"accepted": 0, "rejected": 0, "skipped": 0}
    for number, suggestion in enumerate(pending, 1):
        # terminal_text keeps one character for one, so the evidence spans still fit.
        text = screen_text(suggestion.text)
        for start, end in suggestion.spans:
            text.stylize("bold black on yellow", start, end)
        console.print(Panel(
            text,
            title=Text.assemble(screen_text(suggestion.transcript),
                                f" segment {suggestion.segment} ({number}/{len(pending)})"),
            subtitle=Text.assemble(screen_text(suggestion.code), " ",
                                   screen_text(labels.get(suggestion.code, "")),
                                   f" score {suggestion.score:.2f} ({suggestion.method})"),
        ))
        if suggestion.evidence:
            console.print(Text.assemble("evidence: ",
                                        screen_text(" | ".join(suggestion.evidence[:3]))),
                          style="dim")
        while True:
            answer = _ask("[a]ccept [r]eject [s]kip [o]ther code [q]uit")
            if answer in ("q", None):
                _summary(decided)
                return
            try:
                if answer == "a":
                    assisted.accept(project, suggestion, coder=coder)
                    decided["accepted"] += 1
                elif answer == "r":
                    assisted.reject(project, suggestion, coder=coder)
                    decided["rejected"] += 1
                elif answer == "s":
                    decided["skipped"] += 1
                elif answer == "o":
                    code = _ask("code id")
                    if code is None:
                        _summary(decided)
                        return
                    assisted.accept(project, suggestion, coder=coder, code=code)
                    decided["accepted"] += 1
                else:
                    continue
            except QcodeError as exc:
                err_console.print(Text(message_text(str(exc)), style="red"))
                continue
            break
    _summary(decided)


def _ask(prompt: str) -> str | None:
    """One answer from the keyboard; None at end of input (treated as quit)."""
    try:
        return typer.prompt(prompt, default="", show_default=False, err=True).strip().lower()
    except (EOFError, typer.Abort):
        return None


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
    skip_rare: bool = typer.Option(False, "--skip-rare", help="Leave out codes with too few "
                                   "examples instead of refusing."),
) -> None:
    """Learn suggestions from the confirmed codings (rejected suggestions count against).

    Example: qcode train --coder ref --skip-rare
    """
    from qcode.coding.assisted import MODEL_LEVELS
    from qcode.coding.assisted import train as train_models

    levels = MODEL_LEVELS if level is TrainLevel.both else (level.value,)
    with open_project(ctx) as project, err_console.status("training"):
        infos = train_models(project, levels=levels, coders=coder, skip_rare=skip_rare)
    rows = [
        {"level": i.level, "codes": len(i.labels), "examples": i.examples,
         "skipped": list(i.skipped), "seconds": round(i.seconds, 1),
         "codebook_version": i.codebook_version}
        for i in infos
    ]
    emit(rows, ListFormat.table, columns=list(rows[0]), title="Trained models")


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

    Example: qcode evaluate --coder ref --level top   or   qcode evaluate --curve --plot curve.png
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
    rows: list[dict[str, object]] = []
    codes = sorted({c for m in report.methods.values() for c in m.per_code})
    for code in codes:
        row: dict[str, object] = {"code": code}
        for method in methods:
            scores = report.methods[method].per_code.get(code)
            row["n"] = scores.support if scores else row.get("n", 0)
            row[f"{method}_f1"] = round(scores.f1, 3) if scores else None
        rows.append(row)
    micro: dict[str, object] = {"code": "micro", "n": None}
    macro: dict[str, object] = {"code": "macro", "n": None}
    for method in methods:
        m = report.methods[method]
        micro[f"{method}_f1"] = round(m.micro.f1, 3)
        macro[f"{method}_f1"] = round(m.macro_f1, 3)
        if method in report.calibration and fmt is not ListFormat.table:
            micro[f"{method}_ece"] = round(report.calibration[method].ece, 4)
    rows += [micro, macro]
    if fmt is not ListFormat.table:
        for method in methods:
            m = report.methods[method]
            for row in rows:
                scores = m.per_code.get(str(row["code"])) if row["code"] not in ("micro", "macro") \
                    else (m.micro if row["code"] == "micro" else None)
                if scores is not None:
                    row[f"{method}_precision"] = round(scores.precision, 3)
                    row[f"{method}_recall"] = round(scores.recall, 3)
    columns = ["code", "n", *[f"{m}_f1" for m in methods]]
    if fmt is not ListFormat.table:
        columns += [f"{m}_{s}" for m in methods for s in ("precision", "recall")]
        columns += [f"{m}_ece" for m in methods if m in report.calibration]
    else:  # the title says F1; short headers keep five methods within 80 columns
        rows = [{k.removesuffix("_f1"): v for k, v in row.items()} for row in rows]
        columns = [c.removesuffix("_f1") for c in columns]
    emit(rows, fmt, columns=columns,
         title=f"Cross-validated F1 at {report.level} level ({len(report.folds)} folds by "
               f"transcript, {report.transcripts} transcripts, {report.segments} segments)")
    if fmt is ListFormat.table:
        table = Table(title="Overall", show_header=True)
        for column in ("method", "micro P", "micro R", "micro F1", "macro F1", "ECE"):
            table.add_column(column, justify="right" if column != "method" else "left")
        for method in methods:
            m = report.methods[method]
            found = report.calibration.get(method)
            table.add_row(method, f"{m.micro.precision:.3f}", f"{m.micro.recall:.3f}",
                          f"{m.micro.f1:.3f}", f"{m.macro_f1:.3f}",
                          f"{found.ece:.3f}" if found else "")
        console.print(table)
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
    table = Table(title="Reliability of the scores (rules and model, out of fold)")
    for column in ("score", "pairs", "mean score", "share coded"):
        table.add_column(column, justify="right")
    for b in found.bins:
        if b.count:
            table.add_row(f"{b.low:.1f}-{b.high:.1f}", str(b.count), f"{b.mean_score:.3f}",
                          f"{b.share_correct:.3f}")
    console.print(table)
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
