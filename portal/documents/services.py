"""Documents uploaded with applications: checked by content, stored outside static/,
served only as attachments."""
