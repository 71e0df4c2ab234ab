"""The AWS privilege-escalation methods nhigraph follows, as data: one row per method.

Each row names the actions a principal needs (all of ``actions``, plus one of ``any_of``
when given), the action whose *resource* decides which identity is reached (``key``), what
the method reaches, and a reference. :mod:`ingest.aws.escalation` evaluates the rows against
each principal's effective permissions; nothing else here is code.

What a method reaches (``reaches``):

- ``user``: every IAM user the key action's resource allows (new access key or password);
- ``role``: every role the key action's resource allows (rewrite its trust policy);
- ``group``: every group the key action's resource allows (add yourself to it: its grants);
- ``passrole``: every role of the principal's account that ``iam:PassRole``'s resource
  allows and whose trust policy lets ``service`` assume it (the service runs the
  principal's code as that role);
- (``instance_profile``) EC2 methods reach only roles in an instance profile when the
  export lists them (``RoleDetailList[].InstanceProfileList``): an instance runs as a role
  through its profile;
- ``existing``: every role of the account whose trust lets ``service`` assume it, *if* a
  resource of that service already runs as it (the export lists no functions, instances or
  endpoints): kept, marked conditional, and said so in the reason;
- ``admin``: the key action's resource covers the principal itself (its own user or role,
  a group it is in, a managed policy attached to it): it can grant itself anything, which
  is admin on the account.

The facts come from the methods published by Rhino Security Labs and collected by
cloudsplaining (``docs/glossary/privilege-escalation.md``) and PMapper (its edge checkers);
no code of theirs is used.
"""

from __future__ import annotations

from dataclasses import dataclass

RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
PMAPPER = "https://github.com/nccgroup/PMapper (edge checkers)"


@dataclass(frozen=True)
class Method:
    name: str
    actions: tuple[str, ...]
    reaches: str  # user, role, group, passrole, existing, admin
    key: str  # the action whose resource decides the target
    any_of: tuple[str, ...] = ()
    service: str | None = None  # passrole / existing: the service principal
    reference: str = RHINO
    description: str = ""
    #: EC2: the role must be in an instance profile (when the export lists them)
    instance_profile: bool = False


def _pass(name, service, actions, any_of=(), description="", reference=RHINO,
          instance_profile=False) -> Method:
    return Method(name, ("iam:PassRole", *actions), "passrole", "iam:PassRole", any_of,
                  service, reference, description, instance_profile)


def _existing(name, service, actions, description, reference=RHINO) -> Method:
    return Method(name, actions, "existing", actions[0], (), service, reference, description)


METHODS: tuple[Method, ...] = (
    # --- IAM permissions on other users -----------------------------------------------
    Method("CreateAccessKey", ("iam:CreateAccessKey",), "user", "iam:CreateAccessKey",
           description="create an access key for the user and sign in as it"),
    Method("CreateLoginProfile", ("iam:CreateLoginProfile",), "user",
           "iam:CreateLoginProfile", description="set a console password for the user"),
    Method("UpdateLoginProfile", ("iam:UpdateLoginProfile",), "user",
           "iam:UpdateLoginProfile", description="change the user's console password"),
    Method("AddUserToGroup", ("iam:AddUserToGroup",), "group", "iam:AddUserToGroup",
           description="add yourself to the group and gain its permissions"),
    Method("UpdateAssumeRolePolicy", ("iam:UpdateAssumeRolePolicy",), "role",
           "iam:UpdateAssumeRolePolicy",
           description="rewrite the role's trust policy to trust yourself, then assume it"),
    # --- permissions on policies: grant yourself anything -------------------------------
    Method("AttachUserPolicy", ("iam:AttachUserPolicy",), "admin", "iam:AttachUserPolicy",
           description="attach AdministratorAccess to your own user"),
    Method("AttachGroupPolicy", ("iam:AttachGroupPolicy",), "admin", "iam:AttachGroupPolicy",
           description="attach AdministratorAccess to a group you are in"),
    Method("AttachRolePolicy", ("iam:AttachRolePolicy",), "admin", "iam:AttachRolePolicy",
           description="attach AdministratorAccess to your own role"),
    Method("PutUserPolicy", ("iam:PutUserPolicy",), "admin", "iam:PutUserPolicy",
           description="write an inline policy allowing * on your own user"),
    Method("PutGroupPolicy", ("iam:PutGroupPolicy",), "admin", "iam:PutGroupPolicy",
           description="write an inline policy allowing * on a group you are in"),
    Method("PutRolePolicy", ("iam:PutRolePolicy",), "admin", "iam:PutRolePolicy",
           description="write an inline policy allowing * on your own role"),
    Method("CreatePolicyVersion", ("iam:CreatePolicyVersion",), "admin",
           "iam:CreatePolicyVersion",
           description="write a new default version of a managed policy attached to you"),
    Method("SetDefaultPolicyVersion", ("iam:SetDefaultPolicyVersion",), "admin",
           "iam:SetDefaultPolicyVersion",
           description="make an older, possibly broader version of a policy attached to you "
                       "the default"),
    # --- pass a role to a service that runs your code -----------------------------------
    _pass("PassRole+Lambda CreateFunction+InvokeFunction", "lambda.amazonaws.com",
          ("lambda:CreateFunction", "lambda:InvokeFunction"),
          description="create a function running as the role and invoke it"),
    _pass("PassRole+Lambda CreateFunction+CreateEventSourceMapping", "lambda.amazonaws.com",
          ("lambda:CreateFunction", "lambda:CreateEventSourceMapping"),
          description="create a function running as the role, triggered by an event source"),
    _pass("PassRole+EC2 RunInstances", "ec2.amazonaws.com", ("ec2:RunInstances",),
          description="start an instance with the role's instance profile and read its "
                      "credentials from the metadata service", instance_profile=True),
    _pass("PassRole+EC2 AssociateIamInstanceProfile", "ec2.amazonaws.com",
          ("ec2:AssociateIamInstanceProfile",), instance_profile=True,
          description="attach the role's instance profile to an instance you control and "
                      "read its credentials from the metadata service", reference=PMAPPER),
    _pass("PassRole+EC2 ReplaceIamInstanceProfileAssociation", "ec2.amazonaws.com",
          ("ec2:ReplaceIamInstanceProfileAssociation",), instance_profile=True,
          description="swap the role's instance profile onto an instance you control and "
                      "read its credentials from the metadata service", reference=PMAPPER),
    _pass("PassRole+Glue CreateDevEndpoint", "glue.amazonaws.com", ("glue:CreateDevEndpoint",),
          description="create a dev endpoint running as the role and log in to it"),
    _pass("PassRole+Glue CreateJob", "glue.amazonaws.com", ("glue:CreateJob",),
          any_of=("glue:StartJobRun", "glue:CreateTrigger"),
          description="create a job running as the role and start it"),
    _pass("PassRole+CloudFormation CreateStack", "cloudformation.amazonaws.com",
          ("cloudformation:CreateStack",),
          description="create a stack whose resources are made as the role"),
    _pass("PassRole+CodeBuild CreateProject+StartBuild", "codebuild.amazonaws.com",
          ("codebuild:CreateProject",), any_of=("codebuild:StartBuild",
                                                "codebuild:StartBuildBatch"),
          description="create a build project running as the role and start a build"),
    _pass("PassRole+ECS RegisterTaskDefinition+RunTask", "ecs-tasks.amazonaws.com",
          ("ecs:RegisterTaskDefinition",), any_of=("ecs:RunTask", "ecs:StartTask",
                                                   "ecs:CreateService"),
          description="register a task definition with the role as task role and run it"),
    _pass("PassRole+SageMaker CreateNotebookInstance", "sagemaker.amazonaws.com",
          ("sagemaker:CreateNotebookInstance", "sagemaker:CreatePresignedNotebookInstanceUrl"),
          description="create a notebook running as the role and open it"),
    _pass("PassRole+SageMaker CreateTrainingJob", "sagemaker.amazonaws.com",
          ("sagemaker:CreateTrainingJob",),
          description="run a training job (your container) as the role"),
    _pass("PassRole+SageMaker CreateProcessingJob", "sagemaker.amazonaws.com",
          ("sagemaker:CreateProcessingJob",),
          description="run a processing job (your container) as the role"),
    _pass("PassRole+DataPipeline CreatePipeline", "datapipeline.amazonaws.com",
          ("datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"),
          any_of=("datapipeline:ActivatePipeline",),
          description="create a pipeline that runs your commands as the role"),
    _pass("PassRole+AppRunner CreateService", "tasks.apprunner.amazonaws.com",
          ("apprunner:CreateService",),
          description="create an App Runner service whose instance role is the role",
          reference="AWS App Runner Developer Guide, instance role (the service runs as "
                    "a role trusting tasks.apprunner.amazonaws.com)"),
    # --- existing resources already running as a role -----------------------------------
    _existing("Lambda UpdateFunctionCode", "lambda.amazonaws.com",
              ("lambda:UpdateFunctionCode",),
              "replace the code of an existing function that runs as the role"),
    _existing("EC2 ModifyInstanceAttribute user data", "ec2.amazonaws.com",
              ("ec2:ModifyInstanceAttribute", "ec2:StopInstances", "ec2:StartInstances"),
              "rewrite an instance's user data (stop, modify, start): it runs as the "
              "instance's role"),
    _existing("SSM SendCommand", "ec2.amazonaws.com", ("ssm:SendCommand",),
              "run a command on an instance that has the role's instance profile",
              reference=PMAPPER),
    _existing("SSM StartSession", "ec2.amazonaws.com", ("ssm:StartSession",),
              "open a shell on an instance that has the role's instance profile",
              reference=PMAPPER),
    _existing("EC2 Instance Connect SendSSHPublicKey", "ec2.amazonaws.com",
              ("ec2-instance-connect:SendSSHPublicKey",),
              "push an SSH key to an instance that has the role's instance profile",
              reference=PMAPPER),
    _existing("SageMaker CreatePresignedNotebookInstanceUrl", "sagemaker.amazonaws.com",
              ("sagemaker:CreatePresignedNotebookInstanceUrl",),
              "open an existing notebook instance that runs as the role"),
    _existing("Glue UpdateDevEndpoint", "glue.amazonaws.com", ("glue:UpdateDevEndpoint",),
              "add your SSH key to an existing dev endpoint that runs as the role"),
)

METHODS_BY_NAME = {m.name: m for m in METHODS}
