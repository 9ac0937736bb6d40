"""What a payments connector writes to QuickBooks: payments, payouts, refunds, credits."""
