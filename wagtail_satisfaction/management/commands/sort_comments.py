"""The automatic first sort from the command line: score again, measure, retrain, roll back.

    manage.py sort_comments [--all] [--campaign ID]    score comments again
    manage.py sort_comments --evaluate FILE.tsv         precision/recall on a labelled file
    manage.py sort_comments --retrain [--corpus FILE]   refit on the moderators' decisions
    manage.py sort_comments --rollback                  back to the previous model
"""

from django.core.management.base import BaseCommand, CommandError

from wagtail_satisfaction.models import Comment
from wagtail_satisfaction.moderation.classifiers import ClassifierContext, get_classifier
from wagtail_satisfaction.moderation.training import LABELS, LabelledFileError


class Command(BaseCommand):
    help = ("Score comments again with the configured classifier (pending ones by default; "
            "only the score, suggestion and matched words change, states are left to "
            "people), or measure it on a labelled file (--evaluate), refit it on the "
            "moderators' decisions (--retrain) or return to the previous model (--rollback).")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="re-score every comment, not only pending ones")
        parser.add_argument("--campaign", type=int,
                            help="only this campaign (id); with --evaluate, read the file "
                                 "in this campaign's context")
        parser.add_argument("--batch-size", type=int, default=500)
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--evaluate", metavar="FILE.tsv",
                            help="print precision, recall and F1 per label and the confusion "
                                 "matrix on a TSV with a header and columns label and text")
        action.add_argument("--retrain", action="store_true",
                            help="refit the learned model on the corpus plus every comment a "
                                 "moderator decided, report before/after on the corpus's test "
                                 "part and make it the active model")
        action.add_argument("--rollback", action="store_true",
                            help="make the model before the active one active again")
        parser.add_argument("--corpus", help="with --retrain: the labelled corpus (default: "
                                             "the one shipped in the package)")

    def handle(self, *args, **options):
        if options["evaluate"]:
            return self.evaluate(options["evaluate"], options["campaign"])
        if options["retrain"]:
            return self.retrain(options["corpus"])
        if options["rollback"]:
            return self.rollback()
        return self.rescore(options)

    # --- measuring ---------------------------------------------------------------------
    def evaluate(self, path, campaign_id=None):
        from wagtail_satisfaction.moderation.training import evaluate_pairs, read_labelled

        try:
            rows = read_labelled(path)
        except LabelledFileError as error:
            raise CommandError(str(error)) from error
        if not rows:
            raise CommandError(f"{path} holds no labelled comments.")
        context = self._context(campaign_id)
        classifier = get_classifier()
        report = evaluate_pairs(
            (row["label"], classifier.classify(row["text"], context).suggested_state)
            for row in rows)
        write = self.stdout.write
        write(f"{len(rows)} comments, accuracy {report['accuracy']:.3f}")
        write(f"{'label':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
        for label in LABELS:
            row = report[label]
            write(f"{label:<10} {row['precision']:>9.3f} {row['recall']:>7.3f} "
                  f"{row['f1']:>6.3f} {row['support']:>8}")
        write("")
        write("confusion (rows: label, columns: suggested)")
        write(f"{'':<10} " + " ".join(f"{label:>9}" for label in LABELS))
        for gold in LABELS:
            write(f"{gold:<10} " + " ".join(f"{report['confusion'][gold][pred]:>9}"
                                            for pred in LABELS))
        relevant = report["relevant"]
        write(f"relevant: precision {relevant['precision']:.3f} recall {relevant['recall']:.3f}")

    def _context(self, campaign_id):
        if not campaign_id:
            return ClassifierContext()
        from wagtail_satisfaction.models import Campaign

        campaign = Campaign.objects.filter(pk=campaign_id).first()
        if campaign is None:
            raise CommandError(f"No campaign with id {campaign_id}.")
        return ClassifierContext.for_campaign(campaign)

    # --- retraining --------------------------------------------------------------------
    def _learned(self):
        from wagtail_satisfaction.moderation.learned import LearnedClassifier

        classifier = get_classifier()
        if not isinstance(classifier, LearnedClassifier):
            raise CommandError("The configured COMMENT_CLASSIFIER does not learn; --retrain "
                               "and --rollback need LearnedClassifier.")
        return classifier

    def retrain(self, corpus_path):
        from wagtail_satisfaction.moderation.decisions import DECIDED_STATES
        from wagtail_satisfaction.moderation.training import (
            CORPUS,
            ModelStore,
            describe,
            fit,
            measure,
            read_labelled,
            split,
        )

        classifier = self._learned()
        corpus_path = corpus_path or CORPUS
        try:
            corpus = read_labelled(corpus_path)
        except LabelledFileError as error:
            raise CommandError(str(error)) from error
        # Only people's decisions: automatic ones (no decided_by) would teach the model
        # its own mistakes.
        decisions = [{"label": state, "text": text} for text, state in
                     Comment.objects.filter(decided_by__isnull=False,
                                            state__in=DECIDED_STATES)
                     .order_by("pk").values_list("text", "state")]
        test = split(corpus, "test")
        before = measure(classifier.model, test)
        try:
            model = fit(corpus, decisions, log=self.stdout.write)
        except LabelledFileError as error:
            raise CommandError(str(error)) from error
        after = model.meta["figures"]["test"]
        store = ModelStore(classifier.options.get("MODEL_DIR"))
        if store.directory is None:
            raise CommandError("Set MEDIA_ROOT (or the classifier's MODEL_DIR option) to keep "
                               "retrained models.")
        path = store.save(model)
        self.stdout.write(f"{len(decisions)} moderator decisions and "
                          f"{len(split(corpus, 'train'))} corpus comments used.")
        if test:
            self.stdout.write(f"test part ({len(test)} comments):")
            for name, figures in (("before", before), ("after", after)):
                self.stdout.write(
                    f"  {name:<6} relevant precision {figures['relevant']['precision']:.3f} "
                    f"recall {figures['relevant']['recall']:.3f}, spam recall "
                    f"{figures['spam']['recall']:.3f}")
        self.stdout.write(describe(model))
        self.stdout.write(self.style.SUCCESS(f"New model active: {path}"))

    def rollback(self):
        from wagtail_satisfaction.moderation.training import ModelStore

        store = ModelStore(self._learned().options.get("MODEL_DIR"))
        if store.active_path() is None:
            raise CommandError("No retrained model is active: the package's model is in use.")
        path = store.rollback()
        self.stdout.write(self.style.SUCCESS(
            f"Active model: {path}" if path else "Active model: the one in the package."))

    # --- scoring again -----------------------------------------------------------------
    def rescore(self, options):
        classifier = get_classifier()
        comments = Comment.objects.all() if options["all"] else Comment.objects.pending()
        if options["campaign"]:
            comments = comments.filter(campaign_id=options["campaign"])
        contexts = {}
        batch, done = [], 0
        for comment in comments.select_related("campaign").order_by("pk").iterator(
                chunk_size=options["batch_size"]):
            if comment.campaign_id not in contexts:
                contexts[comment.campaign_id] = ClassifierContext.for_campaign(comment.campaign)
            result = classifier.classify(comment.text, contexts[comment.campaign_id])
            comment.score = result.score
            comment.suggested_state = result.suggested_state
            comment.matched_terms = result.matched_terms
            batch.append(comment)
            if len(batch) >= options["batch_size"]:
                done += self._save(batch)
                batch = []
        done += self._save(batch)
        self.stdout.write(self.style.SUCCESS(f"{done} comments scored."))

    def _save(self, batch):
        Comment.objects.bulk_update(batch, ["score", "suggested_state", "matched_terms"])
        return len(batch)
