"""The web app (`policy-kit serve`): server-rendered pages for schools and boards.

    app.py       routes and pages (Starlette), create_app(settings)
    settings.py  what the server is allowed to do: data folder, token, upload limits
    security.py  token, CSRF, security headers (CSP), request size limit (ASGI middleware)
    forms.py     the school form, generated from the school input model; form ⇄ YAML
    uploads.py   uploaded files and ZIPs into a private folder, with limits and safe names
    checkview.py a check result as the page shows it (evidence in its section, highlights)
    jobs.py      board audits in a separate process, with progress
    store.py     past audits in SQLite (every school × requirement status)
    server.py    start uvicorn (refuses a non-local address without a token)"""
