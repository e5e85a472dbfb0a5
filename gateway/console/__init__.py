"""The web console: a hash-routed single page (static HTML/JS/CSS in `static/`, no build step)
served by the gateway, plus the server-sent event streams its pages follow."""
