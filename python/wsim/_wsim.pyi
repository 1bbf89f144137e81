"""Type stubs of wsim's native half (wsim._wsim); use the functions of
the ``wsim`` package, which wrap these."""

from typing import List, Optional, Tuple

__version__: str

def command(argv: List[str]) -> Tuple[bool, str, Optional[str], Optional[str], List[str]]:
    """Runs ``wsim ARGV...`` with the GIL released: ``(ok, report, kind,
    message, failures)``; ``kind`` is ``"trace"``, ``"plugin"``,
    ``"policy"``, ``"usage"`` or ``"other"``."""

def policy_names(featured: bool = False) -> List[str]:
    """The built-in policies' names, in the registry's order."""

def switches(subcommand: str) -> List[str]:
    """The long names of ``wsim SUBCOMMAND``'s options that take no value."""
