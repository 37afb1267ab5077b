"""How every qcode command reads its options and writes its ``--help``.

- ``--project PATH`` is accepted after the command too (``qcode transcripts --project
  ../vh``), not only before it;
- examples (docstring lines starting ``Example:``) are printed on one line each, exactly
  as they run, never wrapped at the terminal's width;
- value names read as words (``--coder TEXT``, ``TRANSCRIPT...``, ``[table|csv|jsonl]``),
  not as Python types (``<list[str]>``, ``<float range>``).

:func:`finish` gives every registered command these habits, so a command added later
gets them without asking.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperCommand

EXAMPLE = "Example:"
_TYPE = re.compile(r"<([^<>]*)>(\.\.\.)?$")
_RANGE = re.compile(r"(-?[\d.]+)<=x<=(-?[\d.]+)")
_AT_LEAST = re.compile(r"x>=(-?[\d.]+)")
# What a value is called in help, by the type typer would show.
_WORDS = {"str": "TEXT", "int": "N", "float": "NUMBER", "float range": "NUMBER",
          "int range": "N", "path": "PATH", "file": "FILE", "directory": "FOLDER"}


def examples(help_text: str | None) -> list[str]:
    """The example commands in a command's help, each as it is to be typed."""
    return [line.strip()[len(EXAMPLE):].strip()
            for line in inspect.cleandoc(help_text or "").splitlines()
            if line.strip().startswith(EXAMPLE)]


def _remember_project(ctx: typer.Context, value: Path | None) -> None:
    if value is not None:
        root = ctx.find_root()
        if not isinstance(root.obj, dict):
            root.obj = {}
        root.obj["project"] = value


@functools.cache
def project_option() -> Any:
    """``--project`` for a command, built by typer itself from a throwaway command (typer
    has no public way to make one parameter on its own)."""
    donor = typer.Typer()

    @donor.command()
    def _donor(
        project: Path | None = typer.Option(
            None, "--project", "-P", expose_value=False, callback=_remember_project,
            metavar="PATH", help="Project folder (default: nearest qcode.db upwards, or "
            "QCODE_PROJECT); before or after the command.",
        ),
    ) -> None:
        """Only lends its option."""

    return next(p for p in typer.main.get_command(donor).params if p.name == "project")


def _value_name(param: Any, shown: str) -> str:
    """A help record's name with typer's type label replaced by a word."""
    if param.param_type_name == "argument":
        name = (param.metavar or param.name or "").upper()
        return name + ("..." if param.nargs != 1 else "")
    match = _TYPE.search(shown)
    if match is None:
        return shown
    label = match.group(1)
    label = label[len("list["):-1] if label.startswith("list[") else label
    word = f"[{label}]" if "|" in label else _WORDS.get(label, label.upper())
    return shown[:match.start()] + word + (match.group(2) or "")


def _plain_help(text: str) -> str:
    text = _RANGE.sub(lambda m: f"from {_number(m.group(1))} to {_number(m.group(2))}", text)
    return _AT_LEAST.sub(lambda m: f"at least {_number(m.group(1))}", text)


def _number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def format_parameters(command: Any, ctx: Any, formatter: Any) -> None:
    """The Arguments and Options sections of a command's help, in words."""
    sections: dict[str, list[tuple[str, str]]] = {"argument": [], "option": []}
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:
            continue
        name, text = record
        sections.setdefault(param.param_type_name, []).append(
            (_value_name(param, name), _plain_help(text))
        )
    for title, kind in (("Arguments", "argument"), ("Options", "option")):
        if sections[kind]:
            with formatter.section(title):
                formatter.write_dl(sections[kind])


class QcodeCommand(TyperCommand):
    """A typer command with qcode's help and a ``--project`` option of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(getattr(p, "name", None) == "project" for p in self.params):
            self.params.append(project_option())

    def format_help_text(self, ctx: Any, formatter: Any) -> None:
        text = inspect.cleandoc(self.help or "").partition("\f")[0]
        if not text:
            return
        prose = "\n".join(line for line in text.splitlines()
                          if not line.strip().startswith(EXAMPLE)).strip()
        formatter.write_paragraph()
        with formatter.indentation():
            if prose:
                formatter.write_text(prose)
            lines = [f"{EXAMPLE} {example}" for example in examples(text)]
            if lines:
                formatter.write_paragraph()
                for line in lines:
                    # Never wrapped: an example is copied and run as printed.
                    formatter.write(" " * formatter.current_indent + line + "\n")

    def format_options(self, ctx: Any, formatter: Any) -> None:
        format_parameters(self, ctx, formatter)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _value_name(param, "")
                pieces.append(name if param.required else f"[{name}]")
        return pieces


def _commands(app: typer.Typer) -> Iterator[Any]:
    yield from app.registered_commands
    for group in app.registered_groups:
        if group.typer_instance is not None:
            yield from _commands(group.typer_instance)


def finish(app: typer.Typer) -> None:
    """Give every command registered on ``app`` (and its groups) qcode's command class."""
    for info in _commands(app):
        if info.cls in (None, TyperCommand):
            info.cls = QcodeCommand
