"""The editorial side: everything an editor's action runs (workflow, the save service, revisions, trash, LLM)."""
