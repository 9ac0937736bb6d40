"""The audit log: logins, lockouts and every change to connections and machines."""
