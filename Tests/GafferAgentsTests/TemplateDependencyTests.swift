import GafferAgents
import Testing

/// What the registry records as a resource's dependencies: every way a template names another
/// resource, and nothing that is not a resource.
@Suite struct TemplateDependencyTests {
    @Test func everyIntrinsicThatNamesAResourceIsADependency() throws {
        let template = """
            Parameters:
              Stage: {Type: String}
            Resources:
              Logs:
                Type: AWS::Logs::LogGroup
              Topic:
                Type: AWS::SNS::Topic
              Role:
                Type: AWS::IAM::Role
                Properties:
                  Policies:
                    - PolicyDocument:
                        Statement:
                          - Resource: !GetAtt Logs.Arn
                          - Resource: !Sub "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Topic.TopicName}-${Stage}"
              Function:
                Type: AWS::Lambda::Function
                DependsOn: [Logs]
                Properties:
                  Role: {"Fn::GetAtt": [Role, Arn]}
                  Environment:
                    Variables:
                      TOPIC: {Ref: Topic}
                      STAGE: !Ref Stage
                      LITERAL: !Sub "${!NotAResource}"
              Alarm:
                Type: AWS::CloudWatch::Alarm
                DependsOn: Function
                Properties:
                  AlarmActions: [!Sub ["${Arn}", {Arn: !GetAtt [Topic, TopicArn]}]]
                  Dimensions: [{Name: FunctionName, Value: {"Fn::Sub": "${Function}"}}]
            """
        let dependencies = try CloudFormationDocument(path: "t.yaml", text: template).dependencies
        #expect(dependencies["Logs"] == [])
        #expect(dependencies["Topic"] == [])
        #expect(dependencies["Role"] == ["Logs", "Topic"], "a pseudo parameter and a template parameter are not resources")
        #expect(dependencies["Function"] == ["Logs", "Role", "Topic"], "a literal ${!Name} names nothing")
        #expect(dependencies["Alarm"] == ["Function", "Topic"])
    }
}
