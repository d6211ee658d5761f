"""Comment moderation: the IT team keeps only comments about procedure handling.

- :mod:`.text` folds Vietnamese text (accents, case, đ) so matching and search agree.
- :mod:`.classifiers` is the pluggable automatic first sort (``COMMENT_CLASSIFIER`` setting).
- :mod:`.privacy` masks personal data typed into comments.
- :mod:`.decisions` holds the rules for changing a comment's state and recording it.
- :mod:`.admin` is the moderation queue in the Wagtail admin.
"""
