"""{{{appName}}}: a FastAPI service written by Gaffer for {{{issue}}}."""
