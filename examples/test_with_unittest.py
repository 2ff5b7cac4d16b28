"""kumo_intercept with unittest: decorate the TestCase class.

Run: python -m unittest examples/test_with_unittest.py   (or with pytest)
Each test method, with its setUp and tearDown, runs in a fresh emulator.
"""

import unittest

import boto3

from kumo_intercept import current, kumo


@kumo(clock="virtual")
class QueueTest(unittest.TestCase):
    def setUp(self):
        self.sqs = boto3.client("sqs")
        self.url = self.sqs.create_queue(QueueName="jobs")["QueueUrl"]

    def test_a_message_goes_round_trip(self):
        self.sqs.send_message(QueueUrl=self.url, MessageBody="hello")
        [message] = self.sqs.receive_message(QueueUrl=self.url)["Messages"]
        self.assertEqual(message["Body"], "hello")

    def test_each_test_starts_from_nothing_but_its_setup(self):
        self.assertEqual(current().state.sqs.queues.names(), ["jobs"])
        self.assertEqual(current().state.sqs.queues("jobs")["visible"], 0)


if __name__ == "__main__":
    unittest.main()
