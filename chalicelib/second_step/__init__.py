"""The second step: proving a second factor after a password (or at signup).

``challenge`` is the attempt itself and its life; ``flow`` starts one and follows it;
each way of answering it is a module of its own (``push``, ``code``); ``callback`` takes
Authy's answers to pushes and ``watchers`` tells waiting pages over the WebSocket.
Sessions are issued here and nowhere else (``challenge.complete``).
"""
