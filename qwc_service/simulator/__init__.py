"""A Web Connector simulator and a fake QuickBooks, to run the server without Windows."""
