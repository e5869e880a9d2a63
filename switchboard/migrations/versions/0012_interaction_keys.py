"""interaction keys: one timeline entry per call or service-request event

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=100), nullable=True))
        batch_op.create_index("ux_interactions_customer_key", ["customer_id", "key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ux_interactions_customer_key")
        batch_op.drop_column("key")
