"""What every form class shares: CSRF from Flask-WTF, and errors as one dict for services."""

from flask_wtf import FlaskForm


class Form(FlaskForm):
    """A Flask-WTF form; `errors_by_field` gives the first message of each field."""

    def errors_by_field(self) -> dict[str, str]:
        """The first error of each field that has one."""
        return {name: messages[0] for name, messages in self.errors.items() if messages}
