"""The one exception type for input the user can fix."""


class InputError(ValueError):
    """Bad input, explained in one sentence for the user.

    The message names the file, the column or row, and what was expected. The app shows it
    as is; the CLI prints it after ``error:`` and exits 2.
    """
