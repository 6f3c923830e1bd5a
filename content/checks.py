"""System checks of the content settings (filled in below)."""
