"""The verbs that are not a build: check, deploy, new, init."""
