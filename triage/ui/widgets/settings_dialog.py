"""Settings: Jenkins servers (through `triage.servers`, as `triage servers add` keeps them),
the jobs to watch and the poll interval.

Tokens go to the OS keyring only; where there is none the token field is off and the dialog
says which environment variable the app and the CLI read instead. "Test connection" runs off
the GUI thread and says exactly what it checked (`ServerCheck.summary`). Reading the
configuration and asking for a keyring when the dialog opens, saving and removing (each may wait
on the disk or on the keyring's D-Bus service) run on a worker too; `ready` says the form is
filled.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from triage import servers as server_config
from triage.errors import TriageError
from triage.servers import ServerConfig
from triage.ui import preferences
from triage.ui.sources import ServerEntry, make_client
from triage.ui.watch_rules import MIN_INTERVAL_S


def test_connection(config: ServerConfig, token: str | None) -> str:
    """Reach the server with what the form says (a typed token, else the stored one)."""
    entry = ServerEntry(config, token=token or server_config.token_for(config))
    return server_config.check(config, make_client(entry)).summary()


def read_configuration() -> tuple[bool, dict[str, ServerConfig]]:
    """Return whether an OS keyring can keep tokens, and the configured servers."""
    return server_config.keyring_usable(), _load_servers()


class SettingsDialog(QDialog):
    ready = Signal()  # the configuration is read and the form shows it

    def __init__(self, parent: QWidget | None, ctx, watch=None):
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.ctx, self.watch = ctx, watch
        self.keyring: bool | None = None  # not known until the worker has asked
        self.configured: dict[str, ServerConfig] = {}
        self.servers = QListWidget()
        self.servers.setObjectName("serverList")
        self.servers.currentTextChanged.connect(self._show_server)
        self.name, self.url, self.user = QLineEdit(), QLineEdit(), QLineEdit()
        self.url.setPlaceholderText("https://ci.example.com/jenkins/")
        self.token = QLineEdit()
        self.token.setEchoMode(QLineEdit.EchoMode.Password)
        # `triage servers add --token-env NAME`: where this server's token is read from when
        # no keyring keeps it (two servers, two tokens).
        self.token_env = QLineEdit()
        self.token_env.setObjectName("tokenEnv")
        self.token_env.setPlaceholderText(f"{server_config.TOKEN_ENV} (the default)")
        self.token_env.textChanged.connect(lambda _text: self.form_config())
        self.verify = QCheckBox("Verify the server's TLS certificate")
        self.verify.setChecked(True)
        self.ca_bundle = QLineEdit()
        self.ca_bundle.setPlaceholderText("the system's certificates")
        self.result = QLabel()
        self.result.setObjectName("testResult")
        self.result.setWordWrap(True)
        self.test_button = QPushButton("Test connection")
        self.test_button.clicked.connect(self.test)
        self.jobs = QPlainTextEdit("\n".join(preferences.watched_jobs(ctx.settings) or []))
        self.jobs.setPlaceholderText("every job you can see (or one job or folder per line, "
                                     "e.g. team/backend)")
        self.jobs.setFixedHeight(70)
        self.interval = QSpinBox()
        self.interval.setRange(MIN_INTERVAL_S, 3600)
        self.interval.setSuffix(" s")
        self.interval.setValue(preferences.interval_s(ctx.settings))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        self.servers_box = self._servers_box()
        layout.addWidget(self.servers_box)
        layout.addWidget(self._watch_box())
        layout.addWidget(self.buttons)
        self.resize(640, 620)
        self.servers_box.setEnabled(False)  # until the configuration is read
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self._ops: list = [ctx.tasks.network(
            "Reading the servers", lambda _op: read_configuration(), self._read,
            lambda error: self.result.setText("Cannot read the servers: " + self._message(error)))]

    def _read(self, found: tuple[bool, dict[str, ServerConfig]]) -> None:
        self.keyring, self.configured = found
        if self.keyring:
            self.token.setPlaceholderText("kept in the OS keyring; empty keeps the stored one")
        else:
            self.token.setEnabled(False)
            self.token.setPlaceholderText("no OS keyring here")
            self.no_keyring.show()
        self.servers.addItems(sorted(self.configured))
        self.servers.setCurrentRow(0)
        self.form_config()
        self.servers_box.setEnabled(True)
        self.save_button.setEnabled(True)
        self.ready.emit()

    def _servers_box(self) -> QGroupBox:
        box = QGroupBox("Jenkins servers")
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("URL:", self.url)
        form.addRow("User:", self.user)
        form.addRow("API token:", self.token)
        self.token.setPlaceholderText("looking for an OS keyring…")
        self.no_keyring = QLabel()
        self.no_keyring.setObjectName("noKeyring")
        self.no_keyring.setWordWrap(True)
        self.no_keyring.hide()
        form.addRow("", self.no_keyring)
        form.addRow("Token variable:", self.token_env)
        form.addRow("", self.verify)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.ca_bundle, 1)
        row.addWidget(browse)
        form.addRow("CA bundle:", row)
        test = QHBoxLayout()
        test.addWidget(self.test_button)
        test.addWidget(self.result, 1)
        form.addRow("", test)
        add, remove = QPushButton("New"), QPushButton("Remove")
        add.clicked.connect(self._new)
        remove.clicked.connect(self._remove)
        side = QVBoxLayout()
        side.addWidget(self.servers, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        side.addLayout(buttons)
        layout = QHBoxLayout(box)
        layout.addLayout(side, 1)
        layout.addLayout(form, 3)
        self.remove_button = remove
        return box

    def _watch_box(self) -> QGroupBox:
        box = QGroupBox("Watching")
        form = QFormLayout(box)
        form.addRow("Jobs or folders:", self.jobs)
        form.addRow("Check every:", self.interval)
        return box

    # --- the form -------------------------------------------------------------------------

    def form_config(self) -> ServerConfig:
        """The server the form describes (keeping options only the CLI sets: timeout,
        artifacts, remotes)."""
        name = self.name.text().strip()
        old = self.configured.get(name) or ServerConfig(name, "")
        config = ServerConfig(**{**vars(old), "name": name, "url": self.url.text().strip(),
                                 "user": self.user.text().strip() or None,
                                 "verify": self.verify.isChecked(),
                                 "ca_bundle": self.ca_bundle.text().strip() or None,
                                 "token_env": self.token_env.text().strip() or None})
        if self.keyring is False:
            self.no_keyring.setText(server_config.no_keyring_advice(
                config, naming="in Token variable"))
        return config

    def _show_server(self, name: str) -> None:
        config = self.configured.get(name) or ServerConfig("", "")
        self.name.setText(config.name)
        self.url.setText(config.url)
        self.user.setText(config.user or "")
        self.token.clear()
        self.verify.setChecked(config.verify)
        self.ca_bundle.setText(config.ca_bundle or "")
        self.token_env.setText(config.token_env or "")
        self.result.clear()
        if self.keyring is not None:
            self.form_config()

    def _new(self) -> None:
        self.servers.clearSelection()
        self._show_server("")
        self.name.setFocus()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "CA bundle", "",
                                              "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.ca_bundle.setText(path)

    # --- work off the GUI thread ----------------------------------------------------------

    def test(self) -> None:
        config, token = self.form_config(), self.token.text() or None
        if not config.url:
            self.result.setText("Give the server's URL first.")
            return
        self.test_button.setEnabled(False)
        self.result.setText(f"Checking {config.url}…")
        self._ops.append(self.ctx.tasks.network(
            f"Testing {config.url}", lambda _op: test_connection(config, token),
            lambda summary: self._tested("OK: " + summary),
            lambda error: self._tested("Failed: " + self._message(error))))

    def _tested(self, text: str) -> None:
        self.test_button.setEnabled(True)
        self.result.setText(text)

    def save(self) -> None:
        config, token = self.form_config(), self.token.text() or None
        preferences.set_watched_jobs(self.ctx.settings, _lines(self.jobs.toPlainText()))
        preferences.set_interval_s(self.ctx.settings, self.interval.value())
        self.ctx.jobs = preferences.watched_jobs(self.ctx.settings)
        if self.watch is not None:
            self.watch.watcher.set_interval(self.interval.value())
        if not config.name and not config.url:
            self.accept()  # only the watching part was changed
            return
        self.buttons.setEnabled(False)
        self._ops.append(self.ctx.tasks.network(
            f"Saving server {config.name}", lambda _op: server_config.add(config, token),
            lambda _where: self.accept(),
            lambda error: self._save_failed(error)))

    def _save_failed(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.result.setText("Not saved: " + self._message(error))

    def _remove(self) -> None:
        name = self.name.text().strip()
        if name not in self.configured:
            return
        self.remove_button.setEnabled(False)
        self._ops.append(self.ctx.tasks.network(
            f"Removing server {name}", lambda _op: server_config.remove(name),
            lambda _none: self._removed(name), self._remove_failed))

    def _removed(self, name: str) -> None:
        self.remove_button.setEnabled(True)
        self.configured.pop(name, None)
        for item in self.servers.findItems(name, Qt.MatchFlag.MatchExactly):
            self.servers.takeItem(self.servers.row(item))
        self._new()

    def _remove_failed(self, error: BaseException) -> None:
        self.remove_button.setEnabled(True)
        self.result.setText("Not removed: " + self._message(error))

    def _message(self, error: BaseException) -> str:
        """The one line the dialog shows; a bug also goes to the error display, traceback
        and all (a dialog's label keeps no details)."""
        if isinstance(error, TriageError):
            return error.message
        self.ctx.tasks.report(error, "Settings failed")
        return f"{type(error).__name__}: {error}"

    @classmethod
    def ask(cls, parent: QWidget | None, ctx, watch=None) -> bool:
        """Show the settings; return True when they were saved."""
        return cls(parent, ctx, watch).exec() == QDialog.DialogCode.Accepted


def _load_servers() -> dict[str, ServerConfig]:
    try:
        return server_config.load()
    except TriageError:
        return {}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


