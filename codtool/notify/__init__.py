"""Confirmation calls and customer notices: who to call, what they said, what to send them."""
