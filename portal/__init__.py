"""The Community Grants & Commissioning Portal: create_app() builds the Flask application."""

from pathlib import Path

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal.config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from the environment; `overrides` lets tests adjust settings."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(overrides or {})

    if app.config["PROXY_COUNT"]:
        # Behind a proxy, the client's address (for rate limits and the audit log) and the
        # scheme come from its X-Forwarded headers, trusting only as many hops as configured.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    # Ids in URLs fit the database's integer columns; a longer number is simply not found.
    app.url_map.converters["int"] = DatabaseIdConverter

    _configure_templates(app)
    _init_extensions(app)
    _register_blueprints(app)

    from portal import cli, errors, security, sql_timing

    security.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    sql_timing.init_app(app)
    return app


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, **kwargs)


def _configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from govuk_frontend_wtf.main import WTFormsHelpers

    from portal import templating

    WTFormsHelpers(app)
    templating.init_app(app)


def _init_extensions(app: Flask) -> None:
    import models  # noqa: F401  (registers every model with the metadata)
    from models.types import include_migration_object, render_migration_item
    from portal.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_migration_item,
                     include_object=include_migration_object)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from portal.accounts.routes import bp as accounts_bp
    from portal.admin.routes import bp as admin_bp
    from portal.applications.routes import bp as applications_bp
    from portal.assessment.routes import bp as assessment_bp
    from portal.awards.routes import bp as awards_bp
    from portal.contracts.routes import bp as contracts_bp
    from portal.decisions.routes import bp as decisions_bp
    from portal.documents.routes import bp as documents_bp
    from portal.funding.routes import bp as funding_bp
    from portal.monitoring.routes import bp as monitoring_bp
    from portal.opendata.routes import bp as opendata_bp
    from portal.organisations.routes import bp as organisations_bp
    from portal.pages.routes import bp as pages_bp
    from portal.partners.routes import bp as partners_bp
    from portal.reporting.routes import bp as reporting_bp
    from portal.schemes.routes import bp as schemes_bp
    from portal.scoring.routes import bp as scoring_bp

    for blueprint in (pages_bp, accounts_bp, organisations_bp, schemes_bp, applications_bp,
                      documents_bp, assessment_bp, scoring_bp, decisions_bp, awards_bp, funding_bp,
                      contracts_bp, monitoring_bp, reporting_bp, opendata_bp, admin_bp,
                      partners_bp):
        app.register_blueprint(blueprint)
