from django.apps import AppConfig


class WorkflowTestConfig(AppConfig):
    name = "kampung.core.tests.workflowapp"
    label = "workflowapp"
