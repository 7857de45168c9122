"""Commands imported on first use, so `triage --help` and each command load only what they need.

click's lazy-group pattern, as a mapping: the group's `commands` is a `LazyCommands`, which
knows every command's name and module from an index and imports a module the first time one of
its commands is looked up (`triage demo` imports `triage.cli.demo_cmds` alone). `LazyGroup`
lists the commands in `--help` from the index's help texts, importing none of them. A module
missing from the index still works: it is imported as soon as the commands are listed or a
name is not found (slower, and a test asks for its index entry).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping, Sequence

import click

from triage.cli.common import TriageGroup


class LazyCommands(MutableMapping):
    """Command name -> click command, importing each command's module when first asked.

    `index` maps a command's name to (its module, the first paragraph of its help): enough to
    list it without importing it. Every module in `modules` defines `COMMANDS`.
    """

    def __init__(self, modules: Sequence[str], index: Mapping[str, tuple[str, str]]):
        self._modules = tuple(modules)
        self._index = {name: entry for name, entry in index.items() if entry[0] in self._modules}
        self._loaded: dict[str, click.Command] = {}
        self._imported: set[str] = set()

    def _import(self, module: str) -> None:
        if module in self._imported:
            return
        for command in importlib.import_module(module).COMMANDS:
            self._loaded.setdefault(command.name, command)  # an add_command() stays
        self._imported.add(module)

    def _import_unindexed(self) -> None:
        indexed = {module for module, _help in self._index.values()}
        for module in self._modules:
            if module not in indexed:
                self._import(module)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            entry = self._index.get(name)
            if entry is not None:
                self._import(entry[0])
            else:
                self._import_unindexed()
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        found = name in self._loaded or name in self._index
        self._loaded.pop(name, None)
        self._index.pop(name, None)
        if not found:
            raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        self._import_unindexed()
        return iter(sorted(set(self._index) | set(self._loaded)))

    def __len__(self) -> int:
        return len(list(iter(self)))

    def listing(self, name: str) -> click.Command | None:
        """The command as `--help` lists it: itself once imported, else a stand-in made from
        its index entry (same name, same help, so click shortens it the same way)."""
        if name in self._loaded:
            return self._loaded[name]
        entry = self._index.get(name)
        return None if entry is None else click.Command(name, help=entry[1])


class LazyGroup(TriageGroup):
    """A `TriageGroup` whose `--help` lists its `LazyCommands` without importing them."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = self.commands
        if not isinstance(commands, LazyCommands):
            super().format_commands(ctx, formatter)
            return
        listed = [(name, commands.listing(name)) for name in self.list_commands(ctx)]
        listed = [(name, cmd) for name, cmd in listed if cmd is not None and not cmd.hidden]
        if not listed:
            return
        # click's own layout (Group.format_commands): three times the default spacing.
        limit = formatter.width - 6 - max(len(name) for name, _cmd in listed)
        with formatter.section("Commands"):
            formatter.write_dl([(name, cmd.get_short_help_str(limit)) for name, cmd in listed])
