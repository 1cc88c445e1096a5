"""The monthly plan: selection of Recommended-now actions and the lanes of every play."""
