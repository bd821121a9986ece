"""Domain errors. The library raises these; only the CLI turns them into messages and exit codes."""


class NetralScanError(Exception):
    """Base class for every error a user can fix."""


class FeedError(NetralScanError):
    """An input feed cannot be read. The message names the file and, when known, the position."""

    def __init__(self, source: str, problem: str):
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class ModelFileError(NetralScanError):
    """A model file is missing, corrupt, tampered with or holds types outside the allow-list."""


class LabelledDataError(NetralScanError):
    """Labelled training data is missing columns or holds a bad row."""
