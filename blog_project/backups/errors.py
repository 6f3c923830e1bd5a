import re
import signal


class BackupError(Exception):
    """A backup, restore or verification could not be done; the message is one line for the admin."""


def one_line(error: BaseException) -> str:
    """The first non-empty line of an exception's message, or its type when it has none."""
    for line in str(error).splitlines():
        if line.strip():
            return line.strip()
    return type(error).__name__


_ERROR_LINE = re.compile(r"\b(?:error|fatal):\s*(?P<message>.*)", re.IGNORECASE)


def tool_error(output: str, returncode: int) -> str:
    """The first error line a client program (pg_dump, psql, pg_restore) printed, without its prefix."""
    for line in output.splitlines():
        if match := _ERROR_LINE.search(line):
            return match["message"].strip()
    if output.strip():
        return one_line(Exception(output))
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}" + (
            " (file too large)" if -returncode == signal.SIGXFSZ else ""
        )
    return f"exit status {returncode}"
