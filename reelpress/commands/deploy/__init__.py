"""Publish a built site to a folder, over SSH (rsync) or to S3-compatible object storage.

Every destination follows one contract (`contract`): copy only what changed, delete
only what an earlier deploy of this site put there, touch nothing else; the record
of what was deployed (`record`) lives in the project (`ledger`), never in the web
root, and is validated on read.
"""

from reelpress.commands.deploy.contract import DeployError, DeployResult
from reelpress.commands.deploy.destination import parse_destination
from reelpress.commands.deploy.record import RECORD_NAME
from reelpress.commands.deploy.run import deploy, deploy_result
from reelpress.commands.deploy.settings import DeploySettings, deploy_settings

__all__ = ["RECORD_NAME", "DeployError", "DeployResult", "DeploySettings", "deploy",
           "deploy_result", "deploy_settings", "parse_destination"]
