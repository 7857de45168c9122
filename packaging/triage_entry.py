"""The bundle's `triage` executable: PyInstaller runs this file as __main__."""

from triage.__main__ import run

if __name__ == "__main__":
    run()
