"""``makemessages`` that also finds ``gettext_lazy as _lazy`` (modules that need both the
eager ``_`` and a lazy one for declarations, e.g. the workflows' button labels); without
this keyword xgettext skipped those strings and they stayed German in every language."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
