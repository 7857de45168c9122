"""`triage demo`: run the built-in Jenkins-compatible server with seeded sample data."""

from __future__ import annotations

import click

from triage.cli.output import echo
from triage.errors import ConfigError


@click.command("demo")
@click.option("--serve", is_flag=True, help="Run only the sample Jenkins server (the default "
              "for now).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--seed", default=1, show_default=True, help="Seed of the sample data.")
@click.option("--context-path", default="/jenkins", show_default=True,
              help="Jenkins context path, as behind a reverse proxy.")
def demo(serve: bool, host: str, port: int, seed: int, context_path: str) -> None:
    """Serve a sample Jenkins with flaky tests and paused builds, until Ctrl+C.

    The desktop app will open on it in a later release; today `triage demo` and
    `triage demo --serve` both run just the server and print its URL and credentials.

    \b
    Example:
      triage demo --serve --port 8080
    """
    from triage.jenkins.server import JenkinsServer, demo_world

    srv = JenkinsServer(world=demo_world(seed=seed), host=host, port=port,
                        context_path=context_path)
    try:
        srv.start()
    except OSError as exc:
        raise ConfigError(
            f"Cannot listen on {host}:{port} ({exc.strerror or exc}); pick another with --port."
        ) from None
    echo(f"Sample Jenkins running at {srv.url}")
    for user in srv.security.users:
        role = "admin" if user.admin else ", ".join(user.groups) or (
            "may build" if user.can_build else "read only")
        echo(f"  user {user.id} ({role})  API token {user.token}")
    echo("Press Ctrl+C to stop.")
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        echo("Stopped.")


COMMANDS = [demo]
