"""Who may use the web interface: accounts of imported staff, sign-in limits, calendar-feed tokens.

No Flask here: the CLI (`safeduty user …`, `safeduty feed …`) and the web views share these.
"""
