"""Every write of selections: kinds, running a selection, nominations and
review, voting, publicity and what follows the honour."""
