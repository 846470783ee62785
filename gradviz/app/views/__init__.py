"""One module per plot; each view owns its plot items and updates them with setData."""
