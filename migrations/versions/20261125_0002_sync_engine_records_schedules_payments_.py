"""Sync engine: records, schedules, payment write-backs, audit events, company-file lock.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('customers',
    sa.Column('list_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('full_name', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=True),
    sa.Column('company_name', sa.String(length=100), nullable=True),
    sa.Column('email', sa.String(length=1023), nullable=True),
    sa.Column('phone', sa.String(length=41), nullable=True),
    sa.Column('bill_address', sa.Text(), nullable=True),
    sa.Column('balance', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('total_balance', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('edit_sequence', sa.String(length=16), nullable=True),
    sa.Column('time_created', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified_raw', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_customers_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_connection_modified', ['connection_id', 'time_modified'], unique=False)
        batch_op.create_index('uq_customers_connection_list_id', ['connection_id', 'list_id'], unique=True)

    op.create_table('invoices',
    sa.Column('txn_id', sa.String(length=40), nullable=False),
    sa.Column('txn_number', sa.Integer(), nullable=True),
    sa.Column('customer_list_id', sa.String(length=40), nullable=True),
    sa.Column('customer_full_name', sa.String(length=255), nullable=True),
    sa.Column('txn_date', sa.Date(), nullable=True),
    sa.Column('ref_number', sa.String(length=20), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('subtotal', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('sales_tax_total', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('applied_amount', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('balance_remaining', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('is_paid', sa.Boolean(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('edit_sequence', sa.String(length=16), nullable=True),
    sa.Column('time_created', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified_raw', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_invoices_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_connection_modified', ['connection_id', 'time_modified'], unique=False)
        batch_op.create_index('uq_invoices_connection_txn_id', ['connection_id', 'txn_id'], unique=True)

    op.create_table('items',
    sa.Column('list_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('full_name', sa.String(length=255), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('price', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('income_account', sa.String(length=255), nullable=True),
    sa.Column('quantity_on_hand', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('edit_sequence', sa.String(length=16), nullable=True),
    sa.Column('time_created', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified_raw', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_items_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index('ix_items_connection_modified', ['connection_id', 'time_modified'], unique=False)
        batch_op.create_index('uq_items_connection_list_id', ['connection_id', 'list_id'], unique=True)

    op.create_table('payments',
    sa.Column('txn_id', sa.String(length=40), nullable=False),
    sa.Column('txn_number', sa.Integer(), nullable=True),
    sa.Column('customer_list_id', sa.String(length=40), nullable=True),
    sa.Column('customer_full_name', sa.String(length=255), nullable=True),
    sa.Column('txn_date', sa.Date(), nullable=True),
    sa.Column('ref_number', sa.String(length=20), nullable=True),
    sa.Column('total_amount', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('payment_method', sa.String(length=255), nullable=True),
    sa.Column('deposit_to_account', sa.String(length=255), nullable=True),
    sa.Column('memo', sa.Text(), nullable=True),
    sa.Column('unused_payment', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('edit_sequence', sa.String(length=16), nullable=True),
    sa.Column('time_created', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_modified_raw', sa.String(length=40), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_payments_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_connection_modified', ['connection_id', 'time_modified'], unique=False)
        batch_op.create_index('uq_payments_connection_txn_id', ['connection_id', 'txn_id'], unique=True)

    op.create_table('sync_definitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('record_type', sa.String(length=16), nullable=False),
    sa.Column('every_minutes', sa.Integer(), nullable=False),
    sa.Column('window_start', sa.String(length=5), nullable=True),
    sa.Column('window_end', sa.String(length=5), nullable=True),
    sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_returned', sa.Integer(), nullable=False),
    sa.Column('watermark', sa.String(length=40), nullable=True),
    sa.Column('deleted_watermark', sa.String(length=40), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_sync_definitions_connection_id_connections'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sync_definitions'))
    )
    with op.batch_alter_table('sync_definitions', schema=None) as batch_op:
        batch_op.create_index('uq_sync_definitions_connection_type', ['connection_id', 'record_type'], unique=True)

    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=True),
    sa.Column('machine_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.Column('client_address', sa.String(length=64), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_audit_events_connection_id_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['machine_id'], ['machines.id'], name=op.f('fk_audit_events_machine_id_machines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index('ix_audit_events_connection_created', ['connection_id', 'created_at'], unique=False)
        batch_op.create_index('ix_audit_events_created', ['created_at'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('txn_line_id', sa.String(length=40), nullable=True),
    sa.Column('item_list_id', sa.String(length=40), nullable=True),
    sa.Column('item_full_name', sa.String(length=255), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('rate', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('payment_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('invoice_txn_id', sa.String(length=40), nullable=False),
    sa.Column('txn_type', sa.String(length=40), nullable=True),
    sa.Column('ref_number', sa.String(length=20), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.Column('balance_remaining', sa.Numeric(precision=18, scale=5), nullable=True),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_applications_payment_id_payments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_applications'))
    )
    with op.batch_alter_table('payment_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_applications_payment_id'), ['payment_id'], unique=False)

    op.create_table('payment_writes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('connection_id', sa.String(length=32), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('invoice_txn_id', sa.String(length=40), nullable=False),
    sa.Column('customer_list_id', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('txn_date', sa.Date(), nullable=False),
    sa.Column('payment_method', sa.String(length=31), nullable=True),
    sa.Column('deposit_to_account', sa.String(length=159), nullable=True),
    sa.Column('ref_number', sa.String(length=20), nullable=False),
    sa.Column('memo', sa.String(length=4095), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.Column('txn_id', sa.String(length=40), nullable=True),
    sa.Column('sends', sa.Integer(), nullable=False),
    sa.Column('checks', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['connection_id'], ['connections.id'], name=op.f('fk_payment_writes_connection_id_connections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_payment_writes_job_id_jobs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_writes'))
    )
    with op.batch_alter_table('payment_writes', schema=None) as batch_op:
        batch_op.create_index('uq_payment_writes_connection_key', ['connection_id', 'idempotency_key'], unique=True)
        batch_op.create_index('uq_payment_writes_connection_ref', ['connection_id', 'ref_number'], unique=True)

    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('first_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('machines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_login_address', sa.String(length=64), nullable=True))

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('file_id_stamp', sa.String(length=38), nullable=True))
        batch_op.add_column(sa.Column('refused', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('progress', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC'))
        batch_op.add_column(sa.Column('lock_file_id', sa.String(length=38), nullable=True))
        batch_op.add_column(sa.Column('lock_company_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('lock_file_path', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True))

    # SQLite's batch mode rebuilds the table and cannot carry an expression index across.
    op.drop_index('ix_jobs_claim', table_name='jobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='raw'))
        batch_op.add_column(sa.Column('payload', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('depends_on_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('sync_definition_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('pinned_session_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('not_before', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('units_remaining', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_jobs_sync_definition_id'), ['sync_definition_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_jobs_sync_definition_id_sync_definitions'), 'sync_definitions', ['sync_definition_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_jobs_pinned_session_id_sessions'), 'sessions', ['pinned_session_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_jobs_depends_on_id_jobs'), 'jobs', ['depends_on_id'], ['id'], ondelete='SET NULL')
    op.create_index('ix_jobs_claim', 'jobs', ['connection_id', 'status', sa.text('priority DESC'), 'id'])



def downgrade() -> None:
    op.drop_index('ix_jobs_claim', table_name='jobs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_jobs_depends_on_id_jobs'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_jobs_pinned_session_id_sessions'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_jobs_sync_definition_id_sync_definitions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_jobs_sync_definition_id'))
        batch_op.drop_column('units_remaining')
        batch_op.drop_column('not_before')
        batch_op.drop_column('pinned_session_id')
        batch_op.drop_column('sync_definition_id')
        batch_op.drop_column('depends_on_id')
        batch_op.drop_column('payload')
        batch_op.drop_column('kind')
    op.create_index('ix_jobs_claim', 'jobs', ['connection_id', 'status', sa.text('priority DESC'), 'id'])

    with op.batch_alter_table('machines', schema=None) as batch_op:
        batch_op.drop_column('last_login_address')
    op.drop_table('login_throttles')

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('progress')
        batch_op.drop_column('refused')
        batch_op.drop_column('file_id_stamp')
        batch_op.drop_column('company_name')

    with op.batch_alter_table('connections', schema=None) as batch_op:
        batch_op.drop_column('last_success_at')
        batch_op.drop_column('locked_at')
        batch_op.drop_column('lock_file_path')
        batch_op.drop_column('lock_company_name')
        batch_op.drop_column('lock_file_id')
        batch_op.drop_column('timezone')

    with op.batch_alter_table('payment_writes', schema=None) as batch_op:
        batch_op.drop_index('uq_payment_writes_connection_ref')
        batch_op.drop_index('uq_payment_writes_connection_key')

    op.drop_table('payment_writes')
    with op.batch_alter_table('payment_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_applications_payment_id'))

    op.drop_table('payment_applications')
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_lines_invoice_id'))

    op.drop_table('invoice_lines')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_created')
        batch_op.drop_index('ix_audit_events_connection_created')

    op.drop_table('audit_events')
    with op.batch_alter_table('sync_definitions', schema=None) as batch_op:
        batch_op.drop_index('uq_sync_definitions_connection_type')

    op.drop_table('sync_definitions')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_connection_txn_id')
        batch_op.drop_index('ix_payments_connection_modified')

    op.drop_table('payments')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('uq_items_connection_list_id')
        batch_op.drop_index('ix_items_connection_modified')

    op.drop_table('items')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('uq_invoices_connection_txn_id')
        batch_op.drop_index('ix_invoices_connection_modified')

    op.drop_table('invoices')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('uq_customers_connection_list_id')
        batch_op.drop_index('ix_customers_connection_modified')

    op.drop_table('customers')
