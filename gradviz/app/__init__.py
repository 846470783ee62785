"""The desktop app: drives the engine from a QThread and draws what it reports."""
