"""`triage demo`: the built-in Jenkins-compatible server with sample data, and the app on it."""

from __future__ import annotations

import os

import click

from triage.cli.common import theme_option
from triage.cli.output import echo
from triage.errors import ConfigError, TriageError


@click.command("demo")
@click.option("--serve", is_flag=True, help="Run only the sample Jenkins server, no window.")
@click.option("--self-test", "self_test", is_flag=True,
              help="Open the window offscreen, triage and proceed one paused build, check the "
                   "server saw it, exit 0 (for packaging smoke tests).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--seed", default=1, show_default=True, help="Seed of the sample data.")
@click.option("--context-path", default="/jenkins", show_default=True,
              help="Jenkins context path, as behind a reverse proxy.")
@theme_option
def demo(serve: bool, self_test: bool, host: str, port: int, seed: int,
         context_path: str, theme: str | None) -> None:
    """Open the app on a sample Jenkins with flaky tests and paused builds.

    The window gets a throwaway history and configuration. Without a display (Linux with
    neither DISPLAY nor WAYLAND_DISPLAY), or with --serve, only the server runs, until
    Ctrl+C, and prints its URL and credentials for the CLI.

    \b
    Example:
      triage demo
      triage demo --theme dark
      triage demo --serve --port 8080
      triage demo --self-test
    """
    if self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _window(_start(host, 0, seed, context_path), self_test=True, theme=theme)
        return
    from triage.ui.display import has_display

    if not serve and has_display():
        srv = _start(host, port, seed, context_path)
        _credentials(srv)
        _window(srv, self_test=False, theme=theme)
        return
    if not serve:
        echo("No display here (neither DISPLAY nor WAYLAND_DISPLAY is set): serving "
                   "the demo Jenkins alone; try it with the CLI.")
    _serve(_start(host, port, seed, context_path))


def _start(host: str, port: int, seed: int, context_path: str):
    from triage.jenkins.server import JenkinsServer, demo_world

    srv = JenkinsServer(world=demo_world(seed=seed), host=host, port=port,
                        context_path=context_path)
    try:
        srv.start()
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}); pick another with --port."
        ) from None
    return srv


def _credentials(srv) -> None:
    echo(f"Sample Jenkins running at {srv.url}")
    for user in srv.security.users:
        role = "admin" if user.admin else ", ".join(user.groups) or (
            "may build" if user.can_build else "read only")
        echo(f"  user {user.id} ({role})  API token {user.token}")


def _window(srv, self_test: bool, theme: str | None) -> None:
    """Open the app on the running demo server; stop the server when the window closes."""
    try:
        from triage.ui.demo import run_demo
    except ImportError as exc:  # a broken install: say so in one line
        srv.stop()
        raise TriageError(f"The app cannot start ({exc}); `triage demo --serve` runs the "
                          "demo Jenkins alone.") from None
    try:
        code = run_demo(srv, self_test=self_test, theme=theme)
    finally:
        srv.stop()
    if code:
        raise click.exceptions.Exit(code)


def _serve(srv) -> None:
    _credentials(srv)
    echo("Press Ctrl+C to stop.")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        echo("Stopped.")


COMMANDS = [demo]
