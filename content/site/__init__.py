"""The readers' side: everything a reader's request runs. Never imports ``content.editorial``."""
