# The speed reference for `npm run bench`: the Ruby AWS SDK's S3 Encryption Client (Debian's ruby-aws-sdk-s3)
# decrypting one SES object from a file, as a whole process. S3 and KMS are stubbed (no network), so it measures the
# client's own work: envelope, AES-GCM, output.
#
# usage: ruby ruby-reference-decrypt.rb OBJECT METADATA.json DATA_KEY_HEX KMS_KEY_ARN OUTPUT
require 'aws-sdk-s3'
require 'aws-sdk-kms'
require 'json'

object_path, metadata_path, data_key_hex, kms_key_arn, output_path = ARGV
body = File.binread(object_path)
metadata = JSON.parse(File.read(metadata_path))

# A stand-in KMS client (the V2 client only calls #decrypt): SDK stubs for KMS and S3 deadlock when one is called
# from inside the other's stubbed request.
KmsAnswer = Struct.new(:plaintext, :key_id, keyword_init: true)
class ReferenceKms
  def initialize(data_key, key_id)
    @answer = KmsAnswer.new(plaintext: data_key, key_id: key_id)
  end

  def decrypt(_params = {})
    @answer
  end
end
kms = ReferenceKms.new([data_key_hex].pack('H*'), kms_key_arn)
s3 = Aws::S3::Client.new(stub_responses: true, region: 'us-east-1')
# The V2 client fetches the GCM tag with a second, ranged GET from inside the first one's header callback; a stub
# per call (a Proc) answers both without the stub table's lock.
s3.stub_responses(:get_object, lambda { |context|
  range = context.params[:range]
  if range
    tag = body.byteslice(-Integer(range[/\d+$/]), Integer(range[/\d+$/]))
    { body: tag, content_length: tag.bytesize }
  else
    { body: body, metadata: metadata, content_length: body.bytesize }
  end
})

client = Aws::S3::EncryptionV2::Client.new(
  client: s3,
  kms_key_id: kms_key_arn,
  kms_client: kms,
  key_wrap_schema: :kms_context,
  content_encryption_schema: :aes_gcm_no_padding,
  security_profile: :v2_and_legacy
)
response = client.get_object(bucket: 'mail', key: 'raw/object')
File.binwrite(output_path, response.body.read)
