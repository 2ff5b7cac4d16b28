// The AWS SDK for JavaScript v3 against a kumo_intercept server: node sdk_v3.cjs ENDPOINT
// Prints one JSON object with what each service answered; the Python test asserts on it.
const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command,
        CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } = require("@aws-sdk/client-s3");
const { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, DeleteMessageCommand,
        GetQueueAttributesCommand } = require("@aws-sdk/client-sqs");
const { DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand, QueryCommand } = require("@aws-sdk/client-dynamodb");
const { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } = require("@aws-sdk/client-sns");

const endpoint = process.argv[2];
const common = { endpoint, region: "us-east-1", credentials: { accessKeyId: "AKIDJS", secretAccessKey: "secret" } };

async function s3() {
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "js-bucket" }));
  await s3.send(new PutObjectCommand({ Bucket: "js-bucket", Key: "hello.txt", Body: "hello from js" }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "js-bucket", Key: "hello.txt" }));
  const body = await got.Body.transformToString();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "js-bucket", Key: "big" }));
  const part = await s3.send(new UploadPartCommand({ Bucket: "js-bucket", Key: "big", UploadId, PartNumber: 1,
                                                     Body: "x".repeat(1024) }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: "js-bucket", Key: "big", UploadId,
    MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "js-bucket" }));
  return { body, keys: listed.Contents.map((o) => o.Key) };
}

async function sqsAndSns() {
  // queue URLs name the server's endpoint, so the default useQueueUrlAsEndpoint works
  const sqs = new SQSClient(common);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-queue" }));
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "from js" }));
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  const message = first.Messages[0];
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const sns = new SNSClient(common);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "js-topic" }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: attrs.Attributes.QueueArn,
                                        Attributes: { RawMessageDelivery: "true" } }));
  await sns.send(new PublishCommand({ TopicArn, Message: "fan out" }));
  const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  return { sqs: message.Body, sns: second.Messages[0].Body };
}

async function dynamodb() {
  const ddb = new DynamoDBClient(common);
  await ddb.send(new CreateTableCommand({ TableName: "js-table", BillingMode: "PAY_PER_REQUEST",
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }] }));
  for (const sk of ["1", "2"]) {
    await ddb.send(new PutItemCommand({ TableName: "js-table", Item: { pk: { S: "a" }, sk: { N: sk } } }));
  }
  const item = await ddb.send(new GetItemCommand({ TableName: "js-table", Key: { pk: { S: "a" }, sk: { N: "2" } } }));
  const query = await ddb.send(new QueryCommand({ TableName: "js-table", KeyConditionExpression: "pk = :p",
                                                  ExpressionAttributeValues: { ":p": { S: "a" } } }));
  return { item: item.Item.sk.N, count: query.Count };
}

(async () => {
  const out = { s3: await s3(), messaging: await sqsAndSns(), dynamodb: await dynamodb() };
  console.log(JSON.stringify(out));
})().catch((err) => { console.error(err); process.exit(1); });
