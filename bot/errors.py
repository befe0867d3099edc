"""Domain errors: each carries the sentence a person sees when it happens to them."""


class InflowError(Exception):
    """An error whose message is safe and useful to show to the person who caused it."""

    def __init__(self, user_message: str):
        super().__init__(user_message)
        self.user_message = user_message


DATABASE_DOWN = "inflow can't reach its database right now. Please try again in a minute."
UNEXPECTED = (
    "Sorry, something went wrong on inflow's side and it has been logged (reference {ref})."
)
