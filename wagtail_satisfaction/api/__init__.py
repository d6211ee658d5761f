"""The dossier API for the one-stop software (docs/api.md).

``auth`` checks a client's token, scope and rate; ``serializers`` reads and checks a dossier;
``views`` stores it, marks its result returned (which queues the rating invitation) and
reports its rating status, auditing every call; ``admin`` manages the clients' tokens.
"""
